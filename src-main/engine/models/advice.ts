// What to tell a person about a pretrained model before they train from it. Pure (no TF.js), so
// the renderer's Model screen and the CLI say the same thing.

/** Said on the Model screen and at the end of `anneal train` when the bundled model was used. */
export const BUNDLED_MODEL_NOTE =
  'the bundled resnet_micro was pretrained on 12 synthetic patterns at 32 px, not on photos: ImageNet weights ' +
  '(anneal models pull resnet18, or anneal models add <file> for a download brought in by hand) transfer far ' +
  'better to photos';

/**
 * A training image size at least twice, or at most half, the size the weights were pretrained at.
 * Convolutional features are learnt at a scale: objects far larger or smaller than the pretraining
 * images' look unlike anything the filters saw (Touvron et al., "Fixing the train-test resolution
 * discrepancy", NeurIPS 2019, measure the loss even for ±30 %).
 */
export function imageSizeAdvice(chosen: number | null | undefined, native: number): string | null {
  if (!chosen || chosen <= 0) return null;
  if (chosen < native * 2 && chosen > native / 2) return null;
  return (
    `${chosen} px is far from the ${native} px these weights were pretrained at: ` +
    'features learnt at one scale transfer less well at another'
  );
}
