// Validates Backstage catalog entities the way the catalog does when it ingests them:
// the entity policies (names, annotation keys and values, no foreign root fields, the
// envelope schema) and the Component kind's own schema, from @backstage/catalog-model.
//   node backstage_validate.js catalog-info.yaml   (NODE_PATH: where the model is installed)
const fs = require("fs");
const yaml = require("yaml");
const m = require("@backstage/catalog-model");

const policy = m.EntityPolicies.allOf([
  new m.DefaultNamespaceEntityPolicy(),
  new m.NoForeignRootFieldsEntityPolicy(),
  new m.FieldFormatEntityPolicy(),
  new m.SchemaValidEntityPolicy(),
]);

(async () => {
  const docs = yaml.parseAllDocuments(fs.readFileSync(process.argv[2], "utf8"));
  let count = 0;
  for (const doc of docs) {
    const entity = doc.toJS();
    if (!entity) continue;
    const checked = await policy.enforce(entity);
    if (entity.kind === "Component" && !(await m.componentEntityV1alpha1Validator.check(checked))) {
      throw new Error(`${entity.metadata.name}: not a Component`);
    }
    count += 1;
  }
  console.log(`${count} entities valid`);
})().catch((error) => {
  console.error(String(error.message || error));
  process.exit(1);
});
