FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=agentstudio.settings.production \
    STATIC_ROOT=/app/staticfiles AGENTSTUDIO_DATA_DIR=/app/data
WORKDIR /app
COPY pyproject.toml ./
COPY agentstudio ./agentstudio
COPY workspaces ./workspaces
COPY agents ./agents
COPY conversations ./conversations
COPY integrations ./integrations
COPY audit ./audit
COPY sandbox ./sandbox
RUN pip install --no-cache-dir .
COPY . .
# collectstatic needs settings but no secrets worth keeping: a throw-away key is enough here.
RUN SECRET_KEY=build-only-$(python -c "import secrets; print(secrets.token_hex(32))") \
    ALLOWED_HOSTS=build python manage.py collectstatic --noinput -v 0
RUN useradd --create-home studio && mkdir -p /app/data && chown studio /app/data
USER studio
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py migrate --database sandbox --noinput && exec uvicorn agentstudio.asgi:application --host 0.0.0.0 --port 8000 --proxy-headers"]
