// The Static Web App: serves the site, signs users in, and forwards /api/* (with the signed-in
// user in x-ms-client-principal) to the linked Functions app. Linking a backend needs the
// Standard plan, and the link lets only this site call the Functions app.

param name string
param location string

@description('Resource id of the Functions app that serves /api.')
param backendResourceId string

@description('Region of the Functions app.')
param backendRegion string

resource site 'Microsoft.Web/staticSites@2024-04-01' = {
  name: name
  location: location
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    // Content comes from `swa deploy` or the deploy action with the deployment token, not
    // from a linked repository. Preview environments would have no backend: keep them off.
    stagingEnvironmentPolicy: 'Disabled'
    allowConfigFileUpdates: true
  }
}

resource backend 'Microsoft.Web/staticSites/linkedBackends@2024-04-01' = {
  parent: site
  name: 'backend'
  properties: {
    backendResourceId: backendResourceId
    region: backendRegion
  }
}

output hostname string = site.properties.defaultHostname
