"""The last touches on an exported ONNX file, the same for both backends' exporters: its input and
output named as the contract says, the contract written into metadata_props, and the file checked
by onnx's checker and saved with its weights inside."""

from pathlib import Path

import onnx

from runner.deploy.contract import Contract


def finish(path: Path, contract: Contract) -> None:
    model = onnx.load(str(path))
    graph = model.graph
    if len(graph.input) != 1 or len(graph.output) != len(contract.outputs):
        raise ValueError(f"the exporter wrote a graph of {len(graph.input)} inputs and {len(graph.output)} outputs")
    renames = {graph.input[0].name: contract.input, **{o.name: n for o, n in zip(graph.output, contract.outputs)}}
    for node in graph.node:
        node.input[:] = [renames.get(name, name) for name in node.input]
        node.output[:] = [renames.get(name, name) for name in node.output]
    for value in (*graph.input, *graph.output):
        value.name = renames.get(value.name, value.name)
    del model.metadata_props[:]
    for key, value in contract.metadata().items():
        model.metadata_props.add(key=key, value=value)
    model.doc_string = f"{contract.task} network of run {contract.run}, exported by runner"
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
