# eventagg — see README.md. `make run` for a first look, `make test` for everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

-include mk/*.mk

help:
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  %-18s %s\n",$$1,$$2}'
