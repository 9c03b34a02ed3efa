// The chatr binary as an Azure Functions custom handler on a Linux Flex Consumption plan.
// The plan runs custom handlers as runtime `custom` 1.0 (the FC1 entry of the `custom` stack
// in the Functions stacks data), takes no FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION
// settings, and deploys from a blob container.
//
// The handler's settings (WebPubSubConnectionString, WebPubSubHub, TableStorageConnectionString)
// are wired here from listKeys(), so no key passes through a parameter or an output.

param name string
param location string
param storageAccountName string
param deploymentContainerName string
param webPubSubName string

@allowed([
  'primary'
  'secondary'
])
param webPubSubKey string

param hub string
param appInsightsName string
param maximumInstanceCount int
param instanceMemoryMB int

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource webPubSub 'Microsoft.SignalRService/webPubSub@2024-03-01' existing = {
  name: webPubSubName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// The form the handler's TableStorageConnectionString parser and the Functions host both take.
var storageConnectionString = 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'

// The key the handler signs tokens with; the service's webhook signatures carry both keys, so
// verification holds whichever one the handler has.
var webPubSubKeys = webPubSub.listKeys()
var webPubSubConnectionString = webPubSubKey == 'primary' ? webPubSubKeys.primaryConnectionString : webPubSubKeys.secondaryConnectionString

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${name}-plan'
  location: location
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  kind: 'functionapp,linux'
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: [
        // The Functions host's own settings.
        {
          name: 'AzureWebJobsStorage'
          value: storageConnectionString
        }
        {
          name: 'DEPLOYMENT_STORAGE_CONNECTION_STRING'
          value: storageConnectionString
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsights.properties.ConnectionString
        }
        // The handler's settings (src/config/names.rs).
        {
          name: 'WebPubSubConnectionString'
          value: webPubSubConnectionString
        }
        {
          name: 'WebPubSubHub'
          value: hub
        }
        {
          name: 'TableStorageConnectionString'
          value: storageConnectionString
        }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'StorageAccountConnectionString'
            storageAccountConnectionStringName: 'DEPLOYMENT_STORAGE_CONNECTION_STRING'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'custom'
        version: '1.0'
      }
    }
  }
}

output id string = functionApp.id
