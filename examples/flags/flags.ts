// An app reading a Helios FeatureFlag through the OpenFeature server SDK: it prints the flag's value, then
// prints it again each time the provider reports that the flag changed. It runs until Ctrl-C, or until
// it has seen EXIT_AFTER_CHANGES changes.
import { OpenFeature, ProviderEvents } from "@openfeature/server-sdk";
import { connectHeliosProvider } from "@helios-dev/openfeature-provider";

const namespace = process.env["HELIOS_NAMESPACE"] ?? process.argv[2] ?? "default";
const flagKey = process.env["FLAG_KEY"] ?? "checkout-banner";
const exitAfterChanges = Number(process.env["EXIT_AFTER_CHANGES"] ?? "0");

// The provider serves the namespace's FeatureFlags from a watch; evaluations never leave the process.
await OpenFeature.setProviderAndWait(await connectHeliosProvider({ namespace }));
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
