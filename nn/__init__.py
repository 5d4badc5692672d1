"""Models built on autograd: logistic regression and the two-layer net (in progress)."""
