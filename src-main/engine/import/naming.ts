// Other libraries' names for the same tensors, mapped to torchvision's (which our layers carry).
// timm's ResNet uses torchvision's names already; its EfficientNet does not
// (timm/models/_efficientnet_blocks.py: DepthwiseSeparableConv, InvertedResidual, SqueezeExcite).

export type Naming = 'torchvision' | 'timm' | 'keras';

const TIMM_TOP: [RegExp, string][] = [
  [/^conv_stem\.(.+)$/, 'features.0.0.$1'],
  [/^bn1\.(.+)$/, 'features.0.1.$1'],
  [/^conv_head\.(.+)$/, 'features.$TOP.0.$1'],
  [/^bn2\.(.+)$/, 'features.$TOP.1.$1'],
  [/^classifier\.(.+)$/, 'classifier.1.$1'],
];

/** timm DepthwiseSeparableConv (expand ratio 1) and InvertedResidual parts → torchvision MBConv. */
const TIMM_DS: Record<string, string> = {
  conv_dw: 'block.0.0',
  bn1: 'block.0.1',
  'se.conv_reduce': 'block.1.fc1',
  'se.conv_expand': 'block.1.fc2',
  conv_pw: 'block.2.0',
  bn2: 'block.2.1',
};
const TIMM_IR: Record<string, string> = {
  conv_pw: 'block.0.0',
  bn1: 'block.0.1',
  conv_dw: 'block.1.0',
  bn2: 'block.1.1',
  'se.conv_reduce': 'block.2.fc1',
  'se.conv_expand': 'block.2.fc2',
  conv_pwl: 'block.3.0',
  bn3: 'block.3.1',
};

/** Renames timm EfficientNet keys; `stages` is the number of MBConv stages (7 for B0–B7). */
export function timmEfficientNetName(
  key: string,
  stages: number,
  hasExpand: (stage: number, block: number) => boolean,
): string {
  const block = /^blocks\.(\d+)\.(\d+)\.(.+)\.(weight|bias|running_mean|running_var|num_batches_tracked)$/.exec(key);
  if (block) {
    const [, s, b, part, suffix] = block;
    const table = hasExpand(Number(s), Number(b)) ? TIMM_IR : TIMM_DS;
    const mapped = table[part!];
    return mapped ? `features.${Number(s) + 1}.${b}.${mapped}.${suffix}` : key;
  }
  for (const [re, to] of TIMM_TOP) {
    if (re.test(key)) return key.replace(re, to).replace('$TOP', String(stages + 1));
  }
  return key;
}
