// One storage account for the Functions host (AzureWebJobsStorage, deployment packages) and
// for the chat's state in Table Storage. The handler signs Table requests with the account key
// (SharedKey), so shared-key access stays on; everything else is locked down.

param name string
param location string

@description('Blob container the Flex Consumption plan deploys the API package from.')
param deploymentContainerName string = 'app-package'

// The tables the handler uses (it also creates missing ones at start-up).
var tables = [
  'chats'
  'users'
  'connections'
]

resource account 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: name
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: true
    publicNetworkAccess: 'Enabled'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: account
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2024-01-01' = {
  parent: account
  name: 'default'
}

resource chatTables 'Microsoft.Storage/storageAccounts/tableServices/tables@2024-01-01' = [
  for table in tables: {
    parent: tableService
    name: table
    properties: {}
  }
]

output name string = account.name
output deploymentContainerName string = deploymentContainer.name
