// Package eval measures the NILM classifier on labelled event cycles: the
// stratified k-fold cross-validation of the tree beside the two
// baselines (a 1-nearest-neighbour and a nearest-centroid classifier with
// one pooled covariance, both on the odd harmonics 1 … 15 normalised to
// the fundamental, phases to the voltage fundamental), the rejection of
// appliances the library has never seen, and semi-synthetic mixed loads
// built from the same cycles (mixed.go explains how). Everything is seeded:
// the same data, seed and configuration print the same figures.
//
// The tree learns everything it chooses (each node's view, standardisation,
// discriminant projection, covariances and thresholds) from the training
// folds only; nothing is tuned on a test fold.
//
// `amigo nilm eval --seed S` prints Run's Report, PlotConfusion draws its
// confusion matrices, and `amigo nilm eval --seeds 1-5` prints Sweep's
// Summary.
package eval
