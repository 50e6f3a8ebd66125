#pragma once

#include "verb.h"

#include "inventory/project.h"

#include <QCoreApplication>

namespace rd {

class CliContext;

// "package build|list|prune": release packages of a project's mirror in the local package store.
// Only `build` without --offline touches the network (to fetch the mirror first).
class PackageCommands
{
    Q_DECLARE_TR_FUNCTIONS(PackageCommands)

public:
    static CommandGroup group();
    // Brings the project's mirror up to date; ssh remotes sign in with ssh-agent or `keyFile`.
    static CommandResult<> refreshMirror(CliContext &context, const QString &keyFile, const Project &project);
};

} // namespace rd
