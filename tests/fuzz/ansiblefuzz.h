#pragma once

// The Ansible importer under one format, as tags and as the environments of a project: shared by
// the INI and YAML fuzz targets.

#include "fuzzsupport.h"

#include "inventory/ansibleinventory.h"
#include "inventory/project.h"

namespace rd::fuzz {

inline void importAnsible(const uint8_t *data, size_t size, AnsibleInventory::Format format)
{
    auto &store = Environment::get().store();
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto asTags =
        AnsibleInventory::import(store, bytes, format, AnsibleInventory::GroupsAs::Tags, QString(), QString());
    require(asTags || !asTags.error().message.isEmpty(), "an import error says what went wrong");
    if (!store.projectId(QStringLiteral("shop"))) {
        Project project;
        project.name = QStringLiteral("shop");
        project.gitUrl = QStringLiteral("https://git.example.com/shop.git");
        require(store.addProject(project).has_value(), "the project is added");
    }
    const auto asEnvironments = AnsibleInventory::import(store, bytes, format, AnsibleInventory::GroupsAs::Environments,
                                                         QStringLiteral("shop"), QStringLiteral("/srv/shop"));
    require(asEnvironments || !asEnvironments.error().message.isEmpty(), "an import error says what went wrong");
}

} // namespace rd::fuzz
