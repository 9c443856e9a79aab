// What this machine's runtime has: optional native components (and, later, TF.js backends).
export { detectElectron, detectNativeComponents, detectTfjsNode, type NativeComponent } from './native.js';
export { ANNEAL_VERSION } from './version.js';
