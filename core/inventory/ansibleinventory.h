#pragma once

#include "common/error.h"
#include "importreport.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QString>

namespace rd {

class InventoryStore;

// Servers and environments as an Ansible inventory (INI or YAML), both ways. Every server is a host
// named after the server; every environment is a group "<project>_<environment>" whose
// releasedesk_* group vars carry the environment and its project, and releasedesk_* host vars
// carry what Ansible has no place for, so an export imports back to the same inventory.
class AnsibleInventory
{
    Q_DECLARE_TR_FUNCTIONS(AnsibleInventory)

public:
    enum class Format
    {
        Ini,
        Yaml
    };
    // What a group of a foreign inventory becomes: an environment of the given project, or a tag
    // on its hosts. Groups carrying releasedesk_project always become their own environment.
    enum class GroupsAs
    {
        Environments,
        Tags
    };

    // Same inventory, same bytes: hosts by name, groups by project and environment.
    static Result<QByteArray> exportInventory(const InventoryStore &store, Format format);

    // One transaction: any error (with its line) writes nothing. Hosts whose names are not valid
    // server names are skipped and reported. `projectName` must exist when plain groups become
    // environments; their deploy root is the group's releasedesk_deploy_root or `deployRoot`.
    static Result<ImportReport> import(InventoryStore &store, const QByteArray &data, Format format,
                                       GroupsAs groupsAs, const QString &projectName,
                                       const QString &deployRoot);
};

} // namespace rd
