# Two commands matter: `make run` serves on the embedded SQLite default, `make test` runs every test.
CARGO ?= cargo
CONFIG ?= config/example.toml
DEV_DIR ?= .dev

.PHONY: run test test-rust test-addin lint fmt bench token check-config manifest addin-deps

ADDIN_WEB := addin-web
# npm ci again only when the lockfile changes.
ADDIN_DEPS := $(ADDIN_WEB)/node_modules/.package-lock.json

run: $(DEV_DIR)/jwks.json $(ADDIN_DEPS)
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

# The add-in's packages from npm: MSAL.js and Office.js served to the pages, and the test tools.
addin-deps: $(ADDIN_DEPS)
$(ADDIN_DEPS): $(ADDIN_WEB)/package.json $(ADDIN_WEB)/package-lock.json
	cd $(ADDIN_WEB) && npm ci --no-audit --no-fund

# Prints the example integration's XML manifest.
manifest: $(DEV_DIR)/jwks.json
	$(CARGO) run -q -p vmr-scheduler -- --config $(CONFIG) manifest xml

# Every test: Rust (unit, end-to-end on SQLite and PostgreSQL, manifest schemas), the add-in's
# script unit tests in Node, and browser tests in headless Chromium against the real server.
test: test-rust test-addin

test-rust: $(ADDIN_DEPS)
	$(CARGO) test --workspace

test-addin: $(ADDIN_DEPS)
	$(CARGO) build -q -p vmr-scheduler -p vmr-scheduler-tests --bins
	cd $(ADDIN_WEB) && npm test
	cd $(ADDIN_WEB) && npm run test:browser

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

bench:
	bash bench/run.sh
