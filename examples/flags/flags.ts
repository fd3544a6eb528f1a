// An app reading a Helios FeatureFlag through the OpenFeature server SDK: it prints the flag's value, then
// prints it again each time the provider reports that the flag changed. It runs until Ctrl-C, or until
// it has seen EXIT_AFTER_CHANGES changes.
import { OpenFeature, ProviderEvents } from "@openfeature/server-sdk";
import { connectHeliosProvider } from "@helios-dev/openfeature-provider";

const flagKey = process.env["FLAG_KEY"] ?? "checkout-banner";
const exitAfterChanges = Number(process.env["EXIT_AFTER_CHANGES"] ?? "0");

// The provider serves one namespace's FeatureFlags (HELIOS_NAMESPACE's, else the kubeconfig context's)
// from a watch of them; evaluations never leave the process.
await OpenFeature.setProviderAndWait(await connectHeliosProvider({ namespace: process.env["HELIOS_NAMESPACE"] }));
const client = OpenFeature.getClient("example-app");
console.log(`${flagKey} = ${await client.getStringValue(flagKey, "(default)")}`);

let changes = 0;
client.addHandler(ProviderEvents.ConfigurationChanged, async (details) => {
  if (!details?.flagsChanged?.includes(flagKey)) return;
  console.log(`${flagKey} changed to ${await client.getStringValue(flagKey, "(default)")}`);
  changes += 1;
  // Closing stops the provider's watch, so the process can exit.
  if (changes === exitAfterChanges) await OpenFeature.close();
});
