FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    NOTIFIER_DATA_DIR=/data NOTIFIER_DATABASE_URL=sqlite:////data/notifier.db \
    NOTIFIER_WEB_HOST=0.0.0.0
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY feeds ./feeds
COPY subscribers ./subscribers
COPY notifier ./notifier
COPY templates ./templates
RUN pip install --no-cache-dir -c constraints.txt -e . \
    && useradd --system --home /data notifier && mkdir -p /data && chown notifier /data
USER notifier
VOLUME /data
EXPOSE 8000
CMD ["notifier", "run"]
