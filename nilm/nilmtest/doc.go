// Package nilmtest prepares, from the shared PLAID data, what a test of a
// meter with the NILM module needs: a library signing key, feature
// libraries trained on four fifths of the events (a stratified 5-fold
// split), and the held-out fifth as appliances of a 50 Hz household at
// the meter's rate, so what the meter recognises was never trained on.
package nilmtest
