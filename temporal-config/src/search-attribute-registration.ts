import { Connection } from '@temporalio/client';
// The SDK's own type-name-to-enum mapping (not re-exported from the package root).
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { CUSTOM_SEARCH_ATTRIBUTES } from '@orchestrator/workflows/search-attributes';

/**
 * Registers the custom search attributes the server does not have yet, and returns their names.
 * `start-dev --search-attribute` registers only when it creates its SQLite file: a `.data/`
 * file from before an attribute was added would refuse every session start that sets it.
 */
export async function registerMissingSearchAttributes(
  address: string,
  namespace: string,
): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({
      namespace,
    });
    const missing = CUSTOM_SEARCH_ATTRIBUTES.filter((key) => !customAttributes?.[key.name]);
    if (missing.length === 0) return [];
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!]),
      ),
    });
    return missing.map((key) => key.name);
  } finally {
    await connection.close();
  }
}
