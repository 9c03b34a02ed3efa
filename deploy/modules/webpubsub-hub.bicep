// The chat hub: every user event and the connect/connected/disconnected system events go to the
// handler through the Static Web App, which forwards /api to the linked Functions app.

param webPubSubName string
param hub string

@description('Default host name of the Static Web App.')
param siteHostname string

resource webPubSub 'Microsoft.SignalRService/webPubSub@2024-03-01' existing = {
  name: webPubSubName
}

resource chatHub 'Microsoft.SignalRService/webPubSub/hubs@2024-03-01' = {
  parent: webPubSub
  name: hub
  properties: {
    eventHandlers: [
      {
        urlTemplate: 'https://${siteHostname}/api/eventHandler'
        userEventPattern: '*'
        // connect: a member's new connection is put in their chats' groups by the answer.
        systemEvents: [
          'connect'
          'connected'
          'disconnected'
        ]
      }
    ]
    // Clients connect only with a token from /api/getToken.
    anonymousConnectPolicy: 'deny'
  }
}
