# Build: the bundled SQLite and libpq are compiled from source, so only a C compiler,
# pkg-config and the OpenSSL headers are needed (all in the rust image).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin sro-api

# Run: a small image with the binary, OpenSSL (for PostgreSQL TLS) and CA certificates.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /var/lib/sro-api --create-home sro
COPY --from=build /src/target/release/sro-api /usr/local/bin/sro-api
USER sro
WORKDIR /var/lib/sro-api
ENV BIND_ADDR=0.0.0.0:8080 RUST_LOG=info
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/sro-api"]
CMD ["serve"]
