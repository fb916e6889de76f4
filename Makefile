# Two commands matter: `make run` serves on the embedded SQLite default, `make test` runs every test.
CARGO ?= cargo
CONFIG ?= config/example.toml
DEV_DIR ?= .dev

.PHONY: run test lint fmt bench token check-config

run: $(DEV_DIR)/jwks.json
	$(CARGO) run -p vmr-scheduler -- --config $(CONFIG) serve

# A local signing key for demo tokens (the example configuration trusts $(DEV_DIR)/jwks.json).
$(DEV_DIR)/jwks.json:
	$(CARGO) run -q -p vmr-scheduler-tests --bin dev-idp -- init $(DEV_DIR)

# Prints a token accepted by `make run`'s example integration.
token: $(DEV_DIR)/jwks.json
	@$(CARGO) run -q -p vmr-scheduler-tests --bin dev-idp -- token --dir $(DEV_DIR) \
		--tenant 9188040d-6c67-4c5b-b112-36a304b66dad --audience api://localhost/6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41

check-config: $(DEV_DIR)/jwks.json
	$(CARGO) run -q -p vmr-scheduler -- --config $(CONFIG) check-config

test:
	$(CARGO) test --workspace

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

bench:
	bash bench/run.sh
