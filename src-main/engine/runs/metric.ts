// Which way a logged metric improves, decided once for checkpoints, early stopping and run
// comparisons alike.

/**
 * Accuracies are better high; losses (and any other metric) low. Keras's rule for mode "auto"
 * (keras/src/callbacks/early_stopping.py: a monitor containing "acc" is maximised).
 */
export function higherIsBetter(metric: string): boolean {
  return metric.includes('acc');
}
