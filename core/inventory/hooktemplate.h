#pragma once

#include <QString>

namespace rd {

enum class HookStage { BeforeDownload, AfterDownload, BeforeRelease, AfterRelease };

QString hookStageName(HookStage stage);
bool hookStageFromName(const QString &name, HookStage *stage);

struct HookTemplate
{
    qint64 id = 0;
    QString title;
    HookStage stage = HookStage::BeforeRelease;
    QString script;
};

} // namespace rd
