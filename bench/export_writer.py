"""MLflow's own Python SDK as a writer, with async trace logging (its default):
export_writer.py <tracking_uri> <experiment_name> <traces>
Records the same shape as export-writer.cjs (an agent span, three child spans), flushes the
async queue, and prints {"seconds", "cpuSeconds", "exported", "dropped"} as one JSON line.
"""

import json
import logging
import os
import sys
import time

os.environ["MLFLOW_ENABLE_ASYNC_TRACE_LOGGING"] = "true"
# Room for the whole burst, as the library gets: the queue holds export tasks, not traces, and
# a trace makes several (its spans over OTLP, then its trace info), so a queue of one per trace
# would discard about 40 % of the traces before they reach the server.
os.environ.setdefault("MLFLOW_ASYNC_TRACE_LOGGING_MAX_QUEUE_SIZE", str(10 * int(sys.argv[3])))
logging.getLogger("mlflow").setLevel(logging.ERROR)
REAL_STDOUT = sys.stdout
sys.stdout = sys.stderr

import mlflow  # noqa: E402
from mlflow.entities import SpanType  # noqa: E402

tracking_uri, experiment_name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
mlflow.set_tracking_uri(tracking_uri)
mlflow.set_experiment(experiment_name)


@mlflow.trace(span_type=SpanType.RETRIEVER)
def retrieve(query):
    return [{"id": "doc-1", "text": f"About {query}"}]


@mlflow.trace(span_type=SpanType.RERANKER)
def rerank(query, documents):
    return documents


@mlflow.trace(span_type=SpanType.LLM)
def generate(question, documents):
    return {"answer": f"{question}: {documents[0]['text']}"}


@mlflow.trace(span_type=SpanType.AGENT)
def run(question):
    documents = rerank(question, retrieve(question))
    return generate(question, documents)


run("warm-up")
mlflow.flush_trace_async_logging()
if os.environ.get("BENCH_MARK_START"):
    # Under the export part, the tracking URI is a counting proxy: from here on is the burst.
    import urllib.request  # noqa: E402

    urllib.request.urlopen(f"{tracking_uri}/__bench/start").read()
cpu = time.process_time()
start = time.perf_counter()
for i in range(count):
    run(f"question {i}")
mlflow.flush_trace_async_logging()
seconds = time.perf_counter() - start
cpu_seconds = time.process_time() - cpu
print(
    json.dumps({"seconds": seconds, "cpuSeconds": cpu_seconds, "exported": None, "dropped": None}),
    file=REAL_STDOUT,
)
