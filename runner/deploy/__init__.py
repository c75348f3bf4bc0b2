"""Using a trained model outside training: `runner export` writes a run's network as an ONNX file
(or the framework's own inference format) and proves it against the framework; `runner predict`
and `runner serve` run an ONNX file on onnxruntime with framework-free preprocessing.

contract.py, preprocess.py, session.py, predict.py and serve.py import no deep-learning framework
(pyproject.toml's import contracts hold them to it), so prediction starts fast; export.py reaches
the frameworks through runner.backends."""
