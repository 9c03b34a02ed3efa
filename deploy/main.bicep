// chatr on Azure: the Static Web App (site + sign-in) with the chatr custom handler as its
// linked Functions backend, Azure Web PubSub for the sockets, and Table Storage for the state.
// deploy/README.md explains the deploy order, the parameters and key rotation.
//
// Every key stays inside this deployment: the Functions app reads them through listKeys() in
// its app settings, and no output (here or in a module) carries one.

targetScope = 'resourceGroup'

@description('Prefix of every resource name: 3 to 11 lowercase letters or digits.')
@minLength(3)
@maxLength(11)
param name string = 'chatr'

@description('Region of the Functions app, Web PubSub, Storage and monitoring (must offer Flex Consumption).')
param location string = resourceGroup().location

@description('Region of the Static Web App\'s own resource (Static Web Apps has few regions; the site itself is served globally).')
param staticWebAppLocation string = 'eastus2'

@description('Which Web PubSub access key the handler uses. Switch to secondary, regenerate primary, switch back: see deploy/README.md.')
@allowed([
  'primary'
  'secondary'
])
param webPubSubKey string = 'primary'

@description('Web PubSub tier: Free_F1 (20 connections, 20,000 messages a day, no SLA) or Standard_S1 (1,000 connections per unit).')
@allowed([
  'Free_F1'
  'Standard_S1'
])
param webPubSubSku string = 'Free_F1'

@description('The hub the chat uses.')
param hub string = 'chat'

@description('Point the hub\'s event handler at the site. The service checks that URL, so the first deployment passes false and wires it after the API is up (deploy/deploy.sh).')
param wireEventHandler bool = true

@description('Most Flex Consumption instances the Functions app may scale out to (40 is the lowest the plan allows).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory of one Functions instance in MB: the handler needs little, and the bill is per GB-second.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 512

@description('Daily cap of log ingestion in GB, so that a log storm cannot run up the bill.')
param logDailyQuotaGb int = 1

// uniqueString keeps the globally unique names (storage, sites, Web PubSub) stable per group.
var suffix = uniqueString(resourceGroup().id)

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: take('st${name}${suffix}', 24)
    location: location
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    name: '${name}-${suffix}'
    location: location
    dailyQuotaGb: logDailyQuotaGb
  }
}

module webPubSub 'modules/webpubsub.bicep' = {
  name: 'webPubSub'
  params: {
    name: '${name}-wps-${suffix}'
    location: location
    sku: webPubSubSku
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionApp'
  params: {
    name: '${name}-api-${suffix}'
    location: location
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    webPubSubName: webPubSub.outputs.name
    webPubSubKey: webPubSubKey
    hub: hub
    appInsightsName: monitoring.outputs.appInsightsName
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
}

module site 'modules/staticwebapp.bicep' = {
  name: 'site'
  params: {
    name: '${name}-site-${suffix}'
    location: staticWebAppLocation
    backendResourceId: functionApp.outputs.id
    backendRegion: location
  }
}

module eventHandler 'modules/webpubsub-hub.bicep' = if (wireEventHandler) {
  name: 'eventHandler'
  params: {
    webPubSubName: webPubSub.outputs.name
    hub: hub
    siteHostname: site.outputs.hostname
  }
}

@description('The chat\'s address.')
output siteUrl string = 'https://${site.outputs.hostname}'
