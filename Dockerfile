# syntax=docker/dockerfile:1
# alcarbon: a static binary on distroless, running as non-root.
#   docker build -t alcarbon . && docker run -p 8080:8080 -v alcarbon-data:/data alcarbon

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /alcarbon . \
    && mkdir /data

# static-debian12 has CA certificates and tzdata, no shell; nonroot is uid 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /alcarbon /alcarbon
COPY --from=build --chown=65532:65532 /data /data
ENV ALCARBON_ADDR=:8080 \
    ALCARBON_DATA_DIR=/data
USER 65532:65532
EXPOSE 8080
VOLUME ["/data"]
# No shell or wget in the image: the binary checks itself (GET /healthz, exit 0/1).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/alcarbon", "healthcheck"]
ENTRYPOINT ["/alcarbon"]
