#!/usr/bin/env bash
# Deploys chatr to Azure with the Azure CLI. `make deploy` builds and stages, then runs `up`;
# deploy/README.md explains the order, the settings and how to tear it all down.
#
#   deploy.sh up         everything: infrastructure, API, site, then the hub's event handler
#   deploy.sh infra      the Bicep alone, event handler included (key rotation, template changes)
#   deploy.sh api        target/deploy/api.zip to the Functions app
#   deploy.sh site       target/deploy/site to the Static Web App
#   deploy.sh swa-token  print the Static Web App's deployment token (the workflow masks it)
#
# Settings (environment): CHATR_RESOURCE_GROUP (default chatr), CHATR_LOCATION (eastus2),
# CHATR_WEBPUBSUB_KEY (primary | secondary), CHATR_WEBPUBSUB_SKU (Free_F1 | Standard_S1).
set -euo pipefail
cd "$(dirname "$0")/.."

RESOURCE_GROUP=${CHATR_RESOURCE_GROUP:-chatr}
LOCATION=${CHATR_LOCATION:-eastus2}
WEBPUBSUB_KEY=${CHATR_WEBPUBSUB_KEY:-primary}
WEBPUBSUB_SKU=${CHATR_WEBPUBSUB_SKU:-Free_F1}
API_ZIP=target/deploy/api.zip
SITE_DIR=target/deploy/site
SWA_CLI=@azure/static-web-apps-cli@2.0.10

die() {
  echo "deploy: $*" >&2
  exit 1
}

step() {
  echo "==> $*" >&2
}

# The name of the one resource of a type in the group (the template creates one of each).
only_resource() {
  local names
  names=$(az resource list --resource-group "$RESOURCE_GROUP" --resource-type "$1" --query '[].name' --output tsv)
  [ -n "$names" ] || die "no $1 in resource group $RESOURCE_GROUP: run \`make deploy\` first"
  [ "$(wc -l <<<"$names")" -eq 1 ] || die "more than one $1 in $RESOURCE_GROUP: $names"
  echo "$names"
}

# Deploys main.bicep; $1 (true | false) wires the hub's event handler. Prints the site URL.
infra() {
  az deployment group create --resource-group "$RESOURCE_GROUP" --name chatr \
    --template-file deploy/main.bicep \
    --parameters webPubSubKey="$WEBPUBSUB_KEY" webPubSubSku="$WEBPUBSUB_SKU" wireEventHandler="$1" \
    --query properties.outputs.siteUrl.value --output tsv
}

api() {
  [ -f "$API_ZIP" ] || die "$API_ZIP is missing: run \`make release\`"
  # On Flex Consumption this is a One Deploy to the plan's blob container.
  az functionapp deployment source config-zip --resource-group "$RESOURCE_GROUP" \
    --name "$(only_resource Microsoft.Web/sites)" --src "$API_ZIP" --output none
}

swa_token() {
  az staticwebapp secrets list --resource-group "$RESOURCE_GROUP" \
    --name "$(only_resource Microsoft.Web/staticSites)" --query properties.apiKey --output tsv
}

site() {
  [ -f "$SITE_DIR/staticwebapp.config.json" ] || die "$SITE_DIR is not staged: run \`make deploy\`"
  local token
  token=$(swa_token)
  # The token goes through the environment, not the command line (which `ps` shows).
  SWA_CLI_DEPLOYMENT_TOKEN=$token npx --yes "$SWA_CLI" deploy "$SITE_DIR" --env production
}

up() {
  command -v az >/dev/null || die "the Azure CLI (az) is missing: see deploy/README.md"
  az account show --output none 2>/dev/null || die "not signed in to Azure: run \`az login\`"
  step "resource group $RESOURCE_GROUP in $LOCATION"
  az group create --name "$RESOURCE_GROUP" --location "$LOCATION" --output none
  # Web PubSub checks the event handler URL when the hub is configured, so the hub is wired
  # only once the site and the API behind it answer.
  step "infrastructure"
  infra false >/dev/null
  step "API ($API_ZIP)"
  api
  step "site ($SITE_DIR)"
  site
  step "the hub's event handler"
  local url
  url=$(infra true)
  echo "chatr is at $url"
}

case "${1:-up}" in
  up) up ;;
  infra) infra true ;;
  api) api ;;
  site) site ;;
  swa-token) swa_token ;;
  *) die "unknown command ${1}: use up, infra, api, site or swa-token" ;;
esac
