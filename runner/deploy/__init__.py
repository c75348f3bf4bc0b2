"""Using a trained model outside training: `runner export` writes a run's network as an ONNX file
(or the framework's own inference format) and proves it against the framework; `runner predict`
and `runner serve` run an ONNX file on onnxruntime with framework-free preprocessing.

exporting.py reaches the frameworks through runner.backends (onnx_file.py and images.py need
none); every other module imports no deep-learning framework (pyproject.toml's import contracts hold them
to it), so prediction starts fast: contract.py (what an export carries), preprocess.py, session.py
(onnxruntime), inputs.py, predict.py, answers.py, formats.py, masks.py, batching.py and serve.py.
"""
