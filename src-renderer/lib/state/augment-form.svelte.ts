// The augmentation settings as form fields, turned into the run config's "augment" object
// (engine/data/augment/config.ts; torchvision semantics). Off is `false`, as in the config.
export class AugmentForm {
  enabled = $state(true);
  /** RandomResizedCrop's smallest area fraction (torchvision 0.08; ours 0.35 for small images). */
  cropMin = $state(0.35);
  crop = $state(true);
  hflip = $state(0.5);
  vflip = $state(0);
  rotate = $state(0);
  jitter = $state(0.2);

  get config(): Record<string, unknown> | false {
    if (!this.enabled) return false;
    return {
      randomResizedCrop: this.crop ? { scale: [this.cropMin, 1], ratio: [3 / 4, 4 / 3] } : false,
      hflip: this.hflip > 0 ? this.hflip : false,
      vflip: this.vflip > 0 ? this.vflip : false,
      rotate: this.rotate > 0 ? this.rotate : false,
      colorJitter:
        this.jitter > 0 ? { brightness: this.jitter, contrast: this.jitter, saturation: this.jitter, hue: 0 } : false,
    };
  }
}
