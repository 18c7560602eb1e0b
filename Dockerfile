# notifier: the service in one image. Try it with PostgreSQL and a mail catcher: compose.yaml
# (docs/operations.md, "Docker and compose").
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    NOTIFIER_DATA_DIR=/data NOTIFIER_DATABASE_URL=sqlite:////data/notifier.db \
    NOTIFIER_WEB_HOST=0.0.0.0 NOTIFIER_WEB_PORT=8000 NOTIFIER_LOG_FORMAT=json
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY feeds ./feeds
COPY subscribers ./subscribers
COPY notifier ./notifier
COPY templates ./templates
# a plain install (not editable): code, templates and data live in site-packages; the
# sources are removed, so nothing runs from a writable folder
RUN pip install --no-cache-dir -c constraints.txt . \
    && rm -rf /src \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin notifier \
    && mkdir -p /data && chown notifier /data
WORKDIR /data
# not root: a numeric user, so orchestrators can check runAsNonRoot
USER 10001
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('NOTIFIER_WEB_PORT', '8000') + '/healthz', timeout=4)"]
CMD ["notifier", "run"]
