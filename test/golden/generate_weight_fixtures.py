#!/usr/bin/python3
"""Small, real weight files for the weight-file readers (src-main/engine/weights/).

Usage:  /usr/bin/python3 test/golden/generate_weight_fixtures.py [out_dir]
        (out_dir defaults to test/fixtures/weights; needs torch (1.13 at /usr/bin/python3),
        numpy and h5py (Debian: apt-get install python3-h5py))

Every float value is closed-form, value(seed, k) = ((7k + 13 seed) mod 23 - 11) / 8 for the k-th
element in row-major order: multiples of 1/8 in [-1.375, 1.375], exact in float16, bfloat16 and
float32, so the TypeScript tests compare with toBe, not toBeCloseTo. expected.json lists, per
fixture, the format, the tensor names in stored order, and each tensor's dtype, shape and values.

Where each file comes from (nothing here consults the TypeScript code):

* torch_*.pth       REAL torch.save (zip format) of real torch objects: a state_dict of a tiny conv
                    net (also with pickle_protocol=4), views (transposed, sliced, expanded, two tensors sharing one storage, a
                    Parameter), a training checkpoint {"epoch", "state_dict" (nn.DataParallel, so
                    "module." keys), "optimizer"}, a float16/bfloat16 state_dict, the legacy
                    non-zip format (_use_new_zipfile_serialization=False), and a pickle whose
                    __reduce__ names posix.system (must be refused, never run).
* keras_*.h5        h5py files laid out exactly as Keras 2 (tf.keras 2.13, keras/saving/legacy/
                    hdf5_format.py) writes them: save_model_to_hdf5 (full model: /model_weights)
                    and save_weights_to_hdf5_group (weights only). The functions below transliterate
                    save_attributes_to_hdf5_group / save_weights_to_hdf5_group /
                    save_subset_weights_to_hdf5_group, including the attribute chunking Keras uses
                    past HDF5_OBJECT_HEADER_LIMIT (forced here for keras_chunked_attrs.h5). Keras
                    itself is not installed.
* keras3_*          the Keras 3 layout of keras/src/saving/saving_lib.py (H5IOStore/H5Entry:
                    /layers/<snake_case(class)>[_n]/vars/<i>, the model's own /vars, /optimizer/vars;
                    .keras = zip of metadata.json, config.json, model.weights.h5, stored). Written
                    with h5py + zipfile following that source; Keras 3 itself is not installed.
* safetensors_all_dtypes.safetensors
                    written byte by byte from the safetensors format spec (8-byte LE header length,
                    JSON header padded with spaces to 8 bytes, contiguous buffer). The safetensors
                    Python package is not installed.
* tfjs_model/       a TF.js layers model.json + two weight shards (one tensor split across them),
                    float32 weights and weights quantized as the tensorflowjs converter does
                    (tensorflowjs/quantization.py: uint8, uint16 affine; float16).
"""

import json
import os
import struct
import subprocess
import sys
import zipfile

import h5py
import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "fixtures", "weights")
HDF5_OBJECT_HEADER_LIMIT = 64512  # Keras: HDF5 object headers hold at most 64 KB of attributes


def value(seed, k):
    return (((7 * k + 13 * seed) % 23) - 11) / 8


def closed_form(shape, seed):
    n = int(np.prod(shape)) if len(shape) else 1
    return np.array([value(seed, k) for k in range(n)], dtype=np.float64).reshape(shape)


expected = {}


def record(fixture, fmt, tensors, **extra):
    """tensors: list of (name, dtype, numpy array as the reader must return it)."""
    entry = {"format": fmt, "names": [t[0] for t in tensors], "tensors": {}}
    for name, dtype, arr in tensors:
        arr = np.asarray(arr)
        entry["tensors"][name] = {
            "dtype": dtype,
            "shape": list(arr.shape),
            "values": [float(np.float32(v)) for v in arr.reshape(-1)],
        }
    entry.update(extra)
    expected[fixture] = entry


def out(*parts):
    path = os.path.join(OUT, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


# ---------------------------------------------------------------------------------------------
# PyTorch
# ---------------------------------------------------------------------------------------------


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4, 5)


def tiny_net():
    net = TinyNet()
    with torch.no_grad():
        for seed, (name, t) in enumerate(net.state_dict().items()):
            if t.dtype == torch.int64:
                t.fill_(7)  # num_batches_tracked
            else:
                t.copy_(torch.from_numpy(closed_form(tuple(t.shape), seed)))
    return net


def torch_expected(sd, prefix_strip=""):
    rows = []
    for name, t in sd.items():
        dtype = str(t.dtype).replace("torch.", "")
        rows.append((name[len(prefix_strip) :], dtype, t.detach().to(torch.float64).numpy()))
    return rows


def torch_fixtures():
    net = tiny_net()
    sd = net.state_dict()
    torch.save(sd, out("torch_tiny_convnet.pth"))
    record("torch_tiny_convnet.pth", "torch", torch_expected(sd))

    # Views: torch.save keeps each view's storage, offset and strides.
    base = torch.from_numpy(closed_form((3, 5), 20)).float()
    grid = torch.from_numpy(closed_form((4, 6), 21)).float()
    flat = torch.from_numpy(closed_form((10,), 22)).float()
    views = {
        "transposed": base.t(),  # shape (5, 3), stride (1, 5)
        "sliced": grid[1:, ::2],  # offset 6, stride (6, 2)
        "shared_a": flat[:6].view(2, 3),  # both on flat's storage
        "shared_b": flat[4:],  # offset 4
        "expanded": torch.from_numpy(closed_form((3,), 23)).float().expand(2, 3),  # stride (0, 1)
        "param": nn.Parameter(torch.from_numpy(closed_form((2, 2), 24)).float()),
        "scalar": torch.tensor(2.5),
    }
    assert not views["transposed"].is_contiguous() and not views["sliced"].is_contiguous()
    assert views["shared_a"].storage().data_ptr() == views["shared_b"].storage().data_ptr()
    torch.save(views, out("torch_views.pth"))
    record("torch_views.pth", "torch", torch_expected(views))

    # A training checkpoint of a DataParallel model: the optimizer state holds tensors too.
    dp_net = TinyNet()
    dp = nn.DataParallel(dp_net)
    opt = torch.optim.SGD(dp.parameters(), lr=0.1, momentum=0.9)
    for p in dp.parameters():
        p.grad = torch.ones_like(p)
    opt.step()  # creates momentum buffers
    with torch.no_grad():
        for name, t in tiny_net().state_dict().items():
            dp_net.state_dict()[name].copy_(t)
    dp_sd = dp.state_dict()
    assert all(k.startswith("module.") for k in dp_sd)
    ckpt = {"epoch": 3, "arch": "tiny", "best_acc": 0.75, "state_dict": dp_sd, "optimizer": opt.state_dict()}
    torch.save(ckpt, out("torch_checkpoint.pth"))
    record("torch_checkpoint.pth", "torch", torch_expected(dp_sd, "module."))

    # Pickle protocol 4 (FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL) instead of torch's default 2.
    torch.save(sd, out("torch_protocol4.pth"), pickle_protocol=4)
    record("torch_protocol4.pth", "torch", torch_expected(sd))

    half_sd = tiny_net().half().state_dict()
    half_sd["extra.bf16"] = torch.from_numpy(closed_form((2, 3), 30)).to(torch.bfloat16)
    torch.save(half_sd, out("torch_half.pth"))
    record("torch_half.pth", "torch", torch_expected(half_sd))

    torch.save({"w": torch.ones(2)}, out("torch_legacy.pth"), _use_new_zipfile_serialization=False)

    class Evil:
        def __reduce__(self):
            return (os.system, ("touch /tmp/anneal-weights-pickle-was-executed",))

    torch.save({"conv.weight": torch.ones(2), "payload": Evil()}, out("torch_malicious.pth"))


# ---------------------------------------------------------------------------------------------
# Keras 2 HDF5 (transliterated from keras/saving/legacy/hdf5_format.py, tf.keras 2.13)
# ---------------------------------------------------------------------------------------------


def save_attributes_to_hdf5_group(group, name, data, force_chunks=1):
    data_npy = np.asarray(data)
    num_chunks = force_chunks
    chunked_data = np.array_split(data_npy, num_chunks)
    while any(x.nbytes > HDF5_OBJECT_HEADER_LIMIT for x in chunked_data):
        num_chunks += 1
        chunked_data = np.array_split(data_npy, num_chunks)
    if num_chunks > 1:
        for chunk_id, chunk_data in enumerate(chunked_data):
            group.attrs["%s%d" % (name, chunk_id)] = chunk_data
    else:
        group.attrs[name] = data


def save_subset_weights_to_hdf5_group(f, weights, force_chunks=1):
    """weights: list of (variable name like 'conv1_conv/kernel:0', numpy value)."""
    weight_names = [w.encode("utf8") for w, _ in weights]
    save_attributes_to_hdf5_group(f, "weight_names", weight_names, force_chunks)
    for name, val in zip(weight_names, [v for _, v in weights]):
        param_dset = f.create_dataset(name, val.shape, dtype=val.dtype)
        if not val.shape:
            param_dset[()] = val
        else:
            param_dset[:] = val


def save_weights_to_hdf5_group(f, layers, force_chunks=1):
    """layers: list of (layer name, [(variable name, value)]), in model.layers order."""
    save_attributes_to_hdf5_group(f, "layer_names", [n.encode("utf8") for n, _ in layers], force_chunks)
    f.attrs["backend"] = "tensorflow".encode("utf8")
    f.attrs["keras_version"] = "2.13.1".encode("utf8")
    for name, weights in sorted(layers, key=lambda x: x[0]):
        g = f.create_group(name)
        save_subset_weights_to_hdf5_group(g, weights, force_chunks)
    g = f.create_group("top_level_model_weights")
    save_subset_weights_to_hdf5_group(g, [])


def keras_layers(seed0, dense_dtype=np.float32):
    """A small Keras 2 functional model: input, conv (HWIO kernel), BN, global pool, dense."""
    s = iter(range(seed0, seed0 + 100))
    return [
        ("input_1", []),
        (
            "conv1_conv",
            [
                ("conv1_conv/kernel:0", closed_form((3, 3, 3, 4), next(s)).astype(np.float32)),
                ("conv1_conv/bias:0", closed_form((4,), next(s)).astype(np.float32)),
            ],
        ),
        (
            "conv1_bn",
            [
                (f"conv1_bn/{v}:0", closed_form((4,), next(s)).astype(np.float32))
                for v in ("gamma", "beta", "moving_mean", "moving_variance")
            ],
        ),
        ("avg_pool", []),
        (
            "predictions",
            [
                ("predictions/kernel:0", closed_form((4, 5), next(s)).astype(dense_dtype)),
                ("predictions/bias:0", closed_form((5,), next(s)).astype(dense_dtype)),
            ],
        ),
    ]


MODEL_CONFIG = {
    "class_name": "Functional",
    "config": {
        "name": "tiny",
        "layers": [
            {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 8, 8, 3], "name": "input_1"}},
            {"class_name": "Conv2D", "config": {"name": "conv1_conv", "filters": 4, "kernel_size": [3, 3]}},
            {"class_name": "BatchNormalization", "config": {"name": "conv1_bn", "axis": [3]}},
            {"class_name": "GlobalAveragePooling2D", "config": {"name": "avg_pool"}},
            {"class_name": "Dense", "config": {"name": "predictions", "units": 5}},
        ],
    },
}


def keras_expected(layers):
    rows = []
    for lname, weights in layers:
        for wname, val in weights:
            var = wname[len(lname) + 1 :].rsplit(":", 1)[0]
            rows.append((f"{lname}/{var}", str(val.dtype), val))
    return rows


def keras2_fixtures():
    layers = keras_layers(40)
    with h5py.File(out("keras_full_model.h5"), "w") as f:
        # save_model_to_hdf5: model_metadata as root attributes, then /model_weights.
        f.attrs["keras_version"] = "2.13.1"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(MODEL_CONFIG).encode("utf8")
        save_weights_to_hdf5_group(f.create_group("model_weights"), layers)
        opt = f.create_group("optimizer_weights")
        save_subset_weights_to_hdf5_group(opt, [("Adam/iter:0", np.array(12, dtype=np.int64))])
    record("keras_full_model.h5", "keras-h5", keras_expected(layers))

    layers = keras_layers(60, dense_dtype=np.float16)  # a Dense layer built with dtype="float16"
    with h5py.File(out("keras_weights_only.h5"), "w") as f:
        save_weights_to_hdf5_group(f, layers)
    record("keras_weights_only.h5", "keras-h5", keras_expected(layers))

    layers = keras_layers(80)
    with h5py.File(out("keras_chunked_attrs.h5"), "w") as f:
        save_weights_to_hdf5_group(f, layers, force_chunks=2)
    assert "layer_names" not in h5py.File(out("keras_chunked_attrs.h5"), "r").attrs
    record("keras_chunked_attrs.h5", "keras-h5", keras_expected(layers))


# ---------------------------------------------------------------------------------------------
# Keras 3 (.keras / .weights.h5, keras/src/saving/saving_lib.py)
# ---------------------------------------------------------------------------------------------


def keras3_fixtures():
    s = iter(range(100, 200))
    conv = [closed_form((3, 3, 3, 4), next(s)), closed_form((4,), next(s))]
    bn = [closed_form((4,), next(s)) for _ in range(4)]  # gamma, beta, moving_mean, moving_variance
    head = [closed_form((1, 1, 4, 4), next(s))]  # use_bias=False: kernel only
    dense = [closed_form((4, 5), next(s)), closed_form((5,), next(s))]
    # (Keras layer name, class, h5 container name = snake_case(class) + counter, vars, var names)
    layers = [
        ("stem_conv", "Conv2D", "conv2d", conv, ["kernel", "bias"], {"filters": 4, "use_bias": True}),
        ("stem_bn", "BatchNormalization", "batch_normalization", bn, ["gamma", "beta", "moving_mean", "moving_variance"], {"center": True, "scale": True}),
        ("head_conv", "Conv2D", "conv2d_1", head, ["kernel"], {"filters": 4, "use_bias": False}),
        ("pool", "GlobalAveragePooling2D", "global_average_pooling2d", [], [], {}),
        ("predictions", "Dense", "dense", dense, ["kernel", "bias"], {"units": 5, "use_bias": True}),
    ]
    h5_path = out("keras3_model.weights.h5")
    with h5py.File(h5_path, "w") as f:
        f.create_group("vars")  # H5Entry for the model itself (path "")
        for _, _, container, values, _, _ in layers:
            g = f.create_group(f"layers/{container}").create_group("vars")
            for i, v in enumerate(values):
                g[str(i)] = v.astype(np.float32)
        opt = f.create_group("optimizer").create_group("vars")
        opt["0"] = np.array(12, dtype=np.int64)  # iterations
        opt["1"] = np.array(0.01, dtype=np.float32)  # learning_rate
    config = {
        "module": "keras",
        "class_name": "Sequential",
        "config": {
            "name": "sequential",
            "trainable": True,
            "dtype": "float32",
            "layers": [
                {
                    "module": "keras.layers",
                    "class_name": "InputLayer",
                    "config": {"batch_shape": [None, 8, 8, 3], "dtype": "float32", "sparse": False, "name": "input_layer"},
                    "registered_name": None,
                }
            ]
            + [
                {
                    "module": "keras.layers",
                    "class_name": cls,
                    "config": {"name": name, "trainable": True, "dtype": "float32", **cfg},
                    "registered_name": None,
                    "build_config": {"input_shape": [None, 8, 8, 3]},
                }
                for name, cls, _, _, _, cfg in layers
            ],
            "build_input_shape": [None, 8, 8, 3],
        },
        "registered_name": None,
        "build_config": {"input_shape": [None, 8, 8, 3]},
    }
    keras_path = out("keras3_model.keras")
    with zipfile.ZipFile(keras_path, "w") as zf:
        # Keras calls writestr with the bare name (stored, today's date); a fixed date keeps the
        # fixture reproducible.
        def entry(name):
            return zipfile.ZipInfo(name, date_time=(2024, 5, 1, 12, 0, 0))

        zf.writestr(entry("metadata.json"), json.dumps({"keras_version": "3.3.3", "date_saved": "2024-05-01@12:00:00"}))
        zf.writestr(entry("config.json"), json.dumps(config))
        with open(h5_path, "rb") as h5:
            zf.writestr(entry("model.weights.h5"), h5.read())
    named = [(f"{n}/{vn}", "float32", v) for n, _, _, vals, names, _ in layers for vn, v in zip(names, vals)]
    record("keras3_model.keras", "keras-v3", named)
    # Without config.json nothing maps containers to layers: stored (alphabetical) order, indices.
    by_container = sorted((c, vals) for _, _, c, vals, _, _ in layers)
    raw = [(f"{c}/{i}", "float32", v) for c, vals in by_container for i, v in enumerate(vals)]
    record("keras3_model.weights.h5", "keras-v3", raw)


# ---------------------------------------------------------------------------------------------
# safetensors (format spec: https://github.com/huggingface/safetensors#format)
# ---------------------------------------------------------------------------------------------


def safetensors_fixture():
    def bf16(a):
        return torch.from_numpy(a.astype(np.float32)).to(torch.bfloat16).view(torch.int16).numpy()

    s = iter(range(300, 400))
    items = [
        ("f64", "F64", "float64", closed_form((2, 2), next(s)).astype("<f8")),
        ("f32", "F32", "float32", closed_form((2, 3), next(s)).astype("<f4")),
        ("f16", "F16", "float16", closed_form((3,), next(s)).astype("<f2")),
        ("bf16", "BF16", "bfloat16", closed_form((2, 2), next(s))),
        ("i64", "I64", "int64", np.array([-3, 0, 1 << 40], dtype="<i8")),
        ("i32", "I32", "int32", np.array([[-70000, 5]], dtype="<i4")),
        ("i16", "I16", "int16", np.array([-300, 300], dtype="<i2")),
        ("i8", "I8", "int8", np.array([-128, 127, 0], dtype="i1")),
        ("u8", "U8", "uint8", np.array([0, 200, 255], dtype="u1")),
        ("bool", "BOOL", "bool", np.array([True, False, True], dtype="?")),
        ("scalar", "F32", "float32", np.array(1.5, dtype="<f4")),
        ("empty", "F32", "float32", np.zeros((0, 3), dtype="<f4")),
    ]
    header, buf = {}, b""
    for name, code, _, arr in items:
        raw = bf16(arr).tobytes() if code == "BF16" else arr.tobytes()
        header[name] = {"dtype": code, "shape": list(arr.shape), "data_offsets": [len(buf), len(buf) + len(raw)]}
        buf += raw
    header["__metadata__"] = {"format": "pt", "source": "generate_weight_fixtures.py"}
    text = json.dumps(header, separators=(",", ":")).encode("utf8")
    text += b" " * (-len(text) % 8)
    with open(out("safetensors_all_dtypes.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + buf)
    record(
        "safetensors_all_dtypes.safetensors",
        "safetensors",
        [(n, dt, a.astype(np.float64) if dt != "bfloat16" else a) for n, _, dt, a in items],
    )


# ---------------------------------------------------------------------------------------------
# TF.js layers model (tfjs-core io types; tensorflowjs/quantization.py)
# ---------------------------------------------------------------------------------------------


def quantize(data, dtype):
    """tensorflowjs.quantization.quantize_weights for the affine (uint8/uint16) case."""
    quant_max = np.iinfo(dtype).max
    min_val = min(float(data.min()), 0.0)
    max_val = max(float(data.max()), 0.0)
    scale = (max_val - min_val) / quant_max
    zero_point = round(-min_val / scale)
    nudged_min = -zero_point * scale
    nudged_max = quant_max * scale + nudged_min
    q = np.round((np.clip(data, nudged_min, nudged_max) - nudged_min) / scale).astype(dtype)
    return q, {"dtype": np.dtype(dtype).name, "min": nudged_min, "scale": scale}


def tfjs_fixture():
    s = iter(range(500, 600))
    kernel = closed_form((3, 3, 3, 2), next(s)).astype(np.float32)
    bias = closed_form((2,), next(s)).astype(np.float32)
    dense_k = closed_form((2, 5), next(s)).astype(np.float32)
    dense_b = closed_form((5,), next(s)).astype(np.float32)
    gamma = closed_form((2,), next(s)).astype(np.float32)
    steps = np.array([3, -4], dtype=np.int32)
    qk, qk_info = quantize(dense_k, np.uint8)
    qb, qb_info = quantize(dense_b, np.uint16)
    weights = [
        ({"name": "conv1/kernel", "shape": [3, 3, 3, 2], "dtype": "float32"}, kernel.astype("<f4").tobytes(), kernel),
        ({"name": "conv1/bias", "shape": [2], "dtype": "float32"}, bias.astype("<f4").tobytes(), bias),
        (
            {"name": "dense/kernel", "shape": [2, 5], "dtype": "float32", "quantization": qk_info},
            qk.tobytes(),
            np.array([np.float32(v * qk_info["scale"] + qk_info["min"]) for v in qk.reshape(-1)]).reshape(2, 5),
        ),
        (
            {"name": "dense/bias", "shape": [5], "dtype": "float32", "quantization": qb_info},
            qb.astype("<u2").tobytes(),
            np.array([np.float32(v * qb_info["scale"] + qb_info["min"]) for v in qb]),
        ),
        (
            {"name": "bn/gamma", "shape": [2], "dtype": "float32", "quantization": {"dtype": "float16"}},
            gamma.astype("<f2").tobytes(),
            gamma,
        ),
        ({"name": "counter/steps", "shape": [2], "dtype": "int32"}, steps.astype("<i4").tobytes(), steps),
    ]
    data = b"".join(w[1] for w in weights)
    cut = 50  # inside conv1/kernel: the reader must join the shards
    model = {
        "format": "layers-model",
        "generatedBy": "keras v2.13.1",
        "convertedBy": "TensorFlow.js Converter v4.22.0",
        "modelTopology": {"class_name": "Sequential", "config": {"name": "tiny", "layers": []}},
        "weightsManifest": [
            {"paths": ["group1-shard1of2.bin", "group1-shard2of2.bin"], "weights": [w[0] for w in weights]}
        ],
    }
    with open(out("tfjs_model", "model.json"), "w") as f:
        json.dump(model, f)
    with open(out("tfjs_model", "group1-shard1of2.bin"), "wb") as f:
        f.write(data[:cut])
    with open(out("tfjs_model", "group1-shard2of2.bin"), "wb") as f:
        f.write(data[cut:])
    record(
        "tfjs_model/model.json",
        "tfjs-layers",
        [(w[0]["name"], w[0]["dtype"], w[2]) for w in weights],
    )


def main():
    os.makedirs(OUT, exist_ok=True)
    torch_fixtures()
    keras2_fixtures()
    keras3_fixtures()
    safetensors_fixture()
    tfjs_fixture()
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"formula": "((7k + 13 seed) mod 23 - 11) / 8", "fixtures": expected}, f, indent=1)
    for root, _, files in os.walk(OUT):
        for name in files:
            size = os.path.getsize(os.path.join(root, name))
            assert size < 64 * 1024, f"{name} is {size} bytes"
    # The project's `prettier --check .` covers the JSON written here.
    try:
        subprocess.run(["npx", "prettier", "--write", OUT], cwd=os.path.join(HERE, "..", ".."), check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"warning: could not run prettier on {OUT}: {e}", file=sys.stderr)


if __name__ == "__main__":
    main()
