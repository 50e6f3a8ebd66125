#pragma once

#include "ansiblemodel.h"

#include <QByteArray>

namespace rd::ansible {

// Reads a YAML inventory (all: hosts, vars, children, nested), counting every entry it reads,
// however it was reached through aliases; every error names its line.
Result<Model> readYaml(const QByteArray &data);

} // namespace rd::ansible
