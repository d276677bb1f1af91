"""Names and defaults of the drift methods: numpy-free, so checks can validate arguments
when a DAG is parsed without importing numpy or scipy."""

NUMERIC_METHODS = ("ks", "psi", "wasserstein")
CATEGORICAL_METHODS = ("chisquare", "jensenshannon", "linf")
METHODS = NUMERIC_METHODS + CATEGORICAL_METHODS
# For p-value tests drift is "statistic < threshold"; for distances "statistic >= threshold".
P_VALUE_METHODS = ("ks", "chisquare")
DEFAULT_THRESHOLDS = {
    "ks": 0.05,
    "chisquare": 0.05,
    "psi": 0.1,
    "wasserstein": 0.1,
    "jensenshannon": 0.1,
    "linf": 0.1,
}
