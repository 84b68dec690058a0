FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml ./
COPY newsroom/__init__.py newsroom/__init__.py
RUN pip install . && pip uninstall -y newsroom
COPY . .
RUN pip install --no-deps . \
    && DEBUG=False SECRET_KEY=collectstatic-only DATABASE_URL=postgres://build@localhost/build \
       python manage.py collectstatic --noinput

RUN useradd --create-home newsroom && mkdir -p /app/.data/media && chown -R newsroom /app/.data
USER newsroom
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000", "newsroom.wsgi"]
