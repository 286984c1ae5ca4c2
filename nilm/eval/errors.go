package eval

import "errors"

var errNotPD = errors.New("eval: pooled covariance not positive definite")
