#include "hooktemplate.h"

namespace rd {

QString hookStageName(HookStage stage)
{
    switch (stage) {
    case HookStage::BeforeDownload:
        return QStringLiteral("before-download");
    case HookStage::AfterDownload:
        return QStringLiteral("after-download");
    case HookStage::BeforeRelease:
        return QStringLiteral("before-release");
    case HookStage::AfterRelease:
        return QStringLiteral("after-release");
    }
    return {};
}

bool hookStageFromName(const QString &name, HookStage *stage)
{
    for (HookStage s : {HookStage::BeforeDownload, HookStage::AfterDownload, HookStage::BeforeRelease,
                        HookStage::AfterRelease}) {
        if (hookStageName(s) == name) {
            *stage = s;
            return true;
        }
    }
    return false;
}

} // namespace rd
