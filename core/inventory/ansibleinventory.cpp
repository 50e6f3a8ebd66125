#include "ansibleinventory.h"

#include "ansibleexporter.h"
#include "ansibleimporter.h"
#include "ansibleinireader.h"
#include "ansibleyamlreader.h"

namespace rd {

Result<QByteArray> AnsibleInventory::exportInventory(const InventoryStore &store, Format format)
{
    return ansible::exportStore(store, format);
}

Result<ImportReport> AnsibleInventory::import(InventoryStore &store, const QByteArray &data, Format format,
                                              GroupsAs groupsAs, const QString &projectName,
                                              const QString &deployRoot)
{
    auto model = format == Format::Ini ? ansible::readIni(data) : ansible::readYaml(data);
    if (!model)
        return std::unexpected(model.error());
    return ansible::importModel(store, *model, groupsAs, projectName, deployRoot);
}

} // namespace rd
