// The Azure Web PubSub service the browsers connect to. Its hub and event handler are in
// webpubsub-hub.bicep, deployed once the API answers (see main.bicep).

param name string
param location string

@allowed([
  'Free_F1'
  'Standard_S1'
])
param sku string

resource webPubSub 'Microsoft.SignalRService/webPubSub@2024-03-01' = {
  name: name
  location: location
  sku: {
    name: sku
    tier: split(sku, '_')[0]
    capacity: 1
  }
  properties: {
    // The handler signs client tokens and REST calls with the access key.
    disableLocalAuth: false
    publicNetworkAccess: 'Enabled'
  }
}

output name string = webPubSub.name
