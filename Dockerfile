# The portico image: the binary with git (for the git-history plugin and `scaffold`) on a slim
# Debian. `docker run --rm -v "$PWD:/repo" -w /repo ghcr.io/<owner>/portico build . --out public`
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked && strip target/release/portico

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates python3 \
    && rm -rf /var/lib/apt/lists/* \
    && git config --system --add safe.directory '*'
# (A mounted checkout belongs to another user; git would refuse to read its history.)
COPY --from=build /src/target/release/portico /usr/local/bin/portico
ENTRYPOINT ["portico"]
CMD ["--help"]
