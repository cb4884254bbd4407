# standards-check as a container image: `docker run --rm -v "$PWD:/repo" IMAGE scan .`
# Built and tagged by the release (docs/releasing.md); the CLI is the entry point.
ARG PYTHON_VERSION=3.12

# Stage 1: build the wheel from the source tree (the same artefact the release uploads to PyPI).
FROM python:${PYTHON_VERSION}-slim-bookworm AS build
WORKDIR /src
RUN pip install --no-cache-dir "build==1.2.2"
COPY pyproject.toml hatch_build.py README.md CHANGELOG.md LICENSE ./
COPY src ./src
COPY checks ./checks
COPY policies ./policies
RUN python -m build --wheel --outdir /dist .

# Stage 2: the wheel and its dependencies on a slim Python with git; no compiler, no build tools.
FROM python:${PYTHON_VERSION}-slim-bookworm
ARG HOME_URL=https://github.com/standards-check/standards-check
LABEL org.opencontainers.image.title="standards-check" \
      org.opencontainers.image.description="Policy-as-code checker for engineering standards" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="${HOME_URL}"
# git from Debian stable, which ships its security fixes under the same version line: pinning an
# exact Debian revision would break the build on the next point release.
# The scanned repository is mounted from the host and owned by another user; git refuses such
# a directory unless it is "safe". The scanner neutralises every key of the repository's own
# configuration that runs a program (src/standards_check/gitcmd.py), the risk that check guards.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends git \
 && rm -rf /var/lib/apt/lists/* \
 && git config --system --add safe.directory '*'
COPY --from=build /dist/*.whl /tmp/dist/
RUN pip install --no-cache-dir /tmp/dist/*.whl && rm -rf /tmp/dist \
 && useradd --create-home --uid 10001 --user-group scanner
USER 10001:10001
WORKDIR /repo
ENTRYPOINT ["standards-check"]
CMD ["scan", "."]
