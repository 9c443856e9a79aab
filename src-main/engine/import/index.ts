// Importing pretrained weights (torchvision, timm; safetensors, .pth, TF.js) into a model dir.
export { ImportError, classesOf, importWeights, loadTorchvisionWeights, type ImportOptions } from './import.js';
export { timmEfficientNetName, type Naming } from './naming.js';
export { torchSlots, type TorchSlot } from './torch-layout.js';
