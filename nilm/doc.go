// Package nilm recognises household appliances from high-rate voltage and
// current: it finds switching events in a sample stream, describes each
// event's own current, classifies it with a tree trained on labelled events,
// and carries the trained tree as a small signed feature library that a
// meter can load and replace remotely. It works on float64 sample slices;
// it does not depend on the metrology core.
//
// # Pipeline
//
//	samples ──Detector.Push──▶ Event ──Extract──▶ Features ──Vector──▶ Classifier.ClassifyVector ──▶ Result ──▶ Tracker
//	(v, i at RateHz)           (one cycle of the     (features.md)       (physics node → prototypes     (label, distance,   (state and
//	                            appliance's own                            → state; chi-square limit)     state, node)        energy per
//	                            current, aligned at                                                                           appliance)
//	                            the rising zero of v)
//
// Detector: every cycle, from one rising voltage zero crossing to the next,
// is resampled to a fixed number of points, so before and after cycles align
// whatever the frequency. A step is measured between two steady states (P and
// Q1 of Before cycles, then of Debounce cycles, each within max(TolW,
// TolRel·S)); it is an event when |ΔP| or |ΔQ1| reaches MinStepW. The event
// current is after − before for a switch-on and before − after for a
// switch-off, as in PLAID, so it is always the appliance's own current.
// After its first max(Before, Debounce)+1 cycles the detector allocates
// only for events (their own voltage and current cycles): it resamples into
// a ring of that many cycle records and averages into two steady states in
// turn (window.go).
//
// Classifier (the tree): layer 1 places the event by physics rules (Split:
// THD, displacement, PF) in one of four nodes: resistive, motor-inductive,
// electronic-rectifier, mixed. Layer 2, within the node, takes the node's
// view of the Vector (its feature subset: by default level, power factor,
// the active and reactive currents and the cycle's waveform in 32 bins),
// standardises it and projects it on the node's discriminant directions
// (Fisher's LDA with a shrunk pooled covariance, at most 10 directions,
// lda.go); there it scores each appliance prototype — one per appliance
// and state, with its own mean and its own covariance shrunk towards the
// pooled one (Schäfer–Strimmer) — by squared Mahalanobis distance plus
// ln|Σ|. Layer 3 is the state: the event's direction selects the
// appliance's switch-on or switch-off prototype (the other state's may
// still win, with a prior penalty). A winner whose d² exceeds its χ²_d
// quantile (scaled by the inflation held-out training events show) is
// answered Unknown. Train fits everything on its own training events only:
// each node's view is chosen among Views() by an inner cross-validation,
// whose held-out distances also calibrate the threshold.
//
// # Feature library
//
// Big-endian throughout; floats are IEEE 754 binary32.
//
//	offset  size   field
//	0       4      magic "AMNL"
//	4       1      format, 2
//	5       1      feature schema (FeatureSchema, 2): the Vector layout it was trained on
//	6       4      library version; Active accepts only a higher one
//	10      4      body length B
//	14      B      body
//	14+B    1      signature length S (1 … 72)
//	15+B    S      ECDSA P-256 signature, ASN.1 DER, over SHA-256 of bytes [0, 14+B)
//
//	body:
//	  flags u8 (bit 0: score by d² alone) · confidence f32 · split thresholds 5×f32
//	  L u8 · L × (length u8 · UTF-8 label)
//	  4 × node (resistive, motor-inductive, electronic-rectifier, mixed):
//	    p u8 (≤ NumFeatures) · p × feature index u8 (ascending) · p × (center f32 · scale f32)
//	    d u8 (1 … 10; 0 iff p = 0) · p×d projection f32 (row-major: y_k = Σ_j z_j·proj[j·d+k])
//	    K u16 · K × prototype:
//	      class u8 · state u8 · ln|Σ| f32 · d² limit f32 · mean d×f32 · L⁻¹ d(d+1)/2×f32 (rows of the lower triangle)
//
// A prototype with d = 10 takes 270 bytes and a node's view at most
// 1 + 60·(1 + 8 + 40) + 1 = 2,942 bytes, so 50 appliances with both states,
// 30 % of them also in a neighbouring node, fit in 64 KiB
// (TestLibrarySizeFor50Appliances). Load checks the framing, verifies the
// signature, and only then parses the body; it returns an error wrapping
// ErrLibrary or ErrSignature for any bytes and never panics. Decoded
// classifiers share nothing with the input.
//
// # Concurrency
//
// A Classifier is immutable and safe for concurrent use; Active swaps
// classifiers atomically. A Detector and a Tracker belong to one goroutine.
package nilm
