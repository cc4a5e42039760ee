# Production: `gunicorn -c deploy/gunicorn.conf.py` from the project root.
# Each worker opens the release read-only and, from its first SPARQL query on, runs
# TILOD_QUERY_WORKERS query processes.
import multiprocessing
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from balanced_worker import BalancedThreadWorker  # noqa: E402 - beside this file

bind = os.environ.get("TILOD_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("TILOD_WEB_WORKERS", multiprocessing.cpu_count()))
wsgi_app = "tilod.serving.app:create_app()"
# gthread, sharing keep-alive connections evenly between the workers (see balanced_worker.py)
worker_class = BalancedThreadWorker
# threads: a request waiting on a query worker must not hold a whole web worker; slow clients
# belong to a reverse proxy (nginx buffers them) in front of gunicorn
threads = 8
timeout = 60  # above TILOD_QUERY_TIMEOUT: a query is stopped by tilod, not by killing the worker
graceful_timeout = 20
keepalive = 5
# no recycling (max_requests = 0): a recycled worker comes back to find every keep-alive connection
# already held by the one that survived, and idles while it does all the work; it also pays its
# start (imports, the release, the landing page) in the middle of the load. Nothing in a worker
# grows with the requests it served (its caches are bounded, per release).
max_requests = 0
accesslog = None  # tilod writes its own JSON access log on stderr
errorlog = "-"
