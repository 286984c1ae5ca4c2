// Package eval measures the NILM classifier on labelled event cycles: the
// stratified k-fold cross-validation of the tree beside two baselines (a
// 1-nearest-neighbour on z-scored odd-harmonic magnitudes and phases, and a
// nearest-centroid classifier with one pooled covariance), the rejection of
// appliances the library has never seen, and semi-synthetic mixed loads
// built from the same cycles (mixed.go explains how). Everything is seeded:
// the same data, seed and configuration print the same figures.
//
// The tree learns everything it chooses (its feature sets, covariances and
// thresholds) from the training folds only; nothing is tuned on a test fold.
//
// `amigo nilm eval` prints Run's Report; PlotConfusion draws its confusion
// matrices.
package eval
