// The Ansible Yaml inventory importer, as tags and as environments of a project.
#include "fuzzsupport.h"

#include "inventory/ansibleinventory.h"
#include "inventory/project.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    auto &store = rd::fuzz::Environment::get().store();
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    using rd::AnsibleInventory;
    const auto asTags = AnsibleInventory::import(store, bytes, AnsibleInventory::Format::Yaml,
                                                 AnsibleInventory::GroupsAs::Tags, QString(), QString());
    rd::fuzz::require(asTags || !asTags.error().message.isEmpty(), "an import error says what went wrong");
    if (!store.projectId(QStringLiteral("shop"))) {
        rd::Project project;
        project.name = QStringLiteral("shop");
        project.gitUrl = QStringLiteral("https://git.example.com/shop.git");
        rd::fuzz::require(store.addProject(project).has_value(), "the project is added");
    }
    const auto asEnvironments =
        AnsibleInventory::import(store, bytes, AnsibleInventory::Format::Yaml, AnsibleInventory::GroupsAs::Environments,
                                 QStringLiteral("shop"), QStringLiteral("/srv/shop"));
    rd::fuzz::require(asEnvironments || !asEnvironments.error().message.isEmpty(),
                      "an import error says what went wrong");
    return 0;
}
