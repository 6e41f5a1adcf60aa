"""Reads traces back with MLflow's own Python SDK, so tests can check what MLflow itself sees.

Run with the venv python and MLFLOW_TRACKING_URI set:
  read-trace.py get <trace_id>                      -> {"info": {...}, "spans": [...]}
  read-trace.py size-stats <trace_id>             -> the Python SDK's mlflow.trace.sizeStats for it
  read-trace.py search <experiment_id> [<filter>]   -> {"trace_ids": [...]}
Prints exactly one JSON object on stdout; everything else goes to stderr.
"""

import json
import logging
import sys
from enum import Enum

# MLflow may print on import or while fetching; keep stdout for our JSON only.
REAL_STDOUT = sys.stdout
sys.stdout = sys.stderr
logging.getLogger("mlflow").setLevel(logging.ERROR)

import mlflow  # noqa: E402


def plain(value):
    return value.value if isinstance(value, Enum) else value


def info_json(info):
    return {
        "trace_id": info.trace_id,
        "state": plain(info.state),
        "request_preview": info.request_preview,
        "response_preview": info.response_preview,
        "trace_metadata": dict(info.trace_metadata),
        "tags": dict(info.tags),
        "token_usage": info.token_usage,
        "client_request_id": info.client_request_id,
        "execution_duration": info.execution_duration,
        "request_time": info.request_time,
        "experiment_id": info.experiment_id,
        "assessments": [a.to_dictionary() for a in info.assessments],
    }


def span_json(span):
    return {
        "name": span.name,
        "span_id": span.span_id,
        "parent_id": span.parent_id,
        "span_type": span.span_type,
        "inputs": span.inputs,
        "outputs": span.outputs,
        "status_code": plain(span.status.status_code),
        "status_message": span.status.description,
        # Values decoded by MLflow (it JSON-decodes each attribute) ...
        "attributes": span.attributes,
        # ... and exactly as stored (MLflow keeps JSON-encoded strings).
        "raw_attributes": span.to_dict()["attributes"],
        "log_level": None if span.log_level is None else span.log_level.name,
        "events": [{"name": e.name, "attributes": dict(e.attributes)} for e in span.events],
        # Strings: nanosecond timestamps do not fit in a JavaScript number.
        "start_time_ns": str(span.start_time_ns),
        "end_time_ns": None if span.end_time_ns is None else str(span.end_time_ns),
    }


def main(argv):
    if len(argv) == 2 and argv[0] == "get":
        trace = mlflow.get_trace(argv[1], silent=True)
        if trace is None:
            sys.exit(f"trace {argv[1]} not found")
        return {"info": info_json(trace.info), "spans": [span_json(s) for s in trace.data.spans]}
    if len(argv) == 2 and argv[0] == "size-stats":
        # What MLflow's Python SDK would write as size metadata for this very trace.
        from mlflow.tracing.constant import TraceMetadataKey
        from mlflow.tracing.utils import add_size_stats_to_trace_metadata

        trace = mlflow.get_trace(argv[1], silent=True)
        if trace is None:
            sys.exit(f"trace {argv[1]} not found")
        for key in (TraceMetadataKey.SIZE_STATS, TraceMetadataKey.SIZE_BYTES):
            trace.info.trace_metadata.pop(key, None)
        add_size_stats_to_trace_metadata(trace)
        return json.loads(trace.info.trace_metadata[TraceMetadataKey.SIZE_STATS])
    if len(argv) in (2, 3) and argv[0] == "search":
        traces = mlflow.search_traces(
            experiment_ids=[argv[1]],
            filter_string=argv[2] if len(argv) == 3 and argv[2] else None,
            return_type="list",
        )
        return {"trace_ids": [t.info.trace_id for t in traces]}
    sys.exit(__doc__)


if __name__ == "__main__":
    result = main(sys.argv[1:])
    REAL_STDOUT.write(json.dumps(result, default=str) + "\n")
    REAL_STDOUT.flush()
