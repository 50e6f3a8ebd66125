#include "hooktemplatespane.h"
#include "inventorypanes/hooktemplatetablemodel.h"
#include "inventory/inventorystore.h"
#include "inventory/validator.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLineEdit>
#include <QPlainTextEdit>

namespace rd {

HookTemplatesPane::HookTemplatesPane(InventoryStore &store, QWidget *parent)
    : InventoryPane(store, tr("Hook templates"),
                    tr("Shell scripts run at a pipeline stage. They see RD_PROJECT, RD_ENV, RD_VERSION, RD_COMMIT, "
                       "RD_RELEASE_DIR, RD_PREVIOUS_DIR and RD_SERVER."),
                    parent),
      m_hooks(new HookTemplateTableModel(this))
{
    setObjectName(QStringLiteral("hookTemplatesPane"));
    m_title = new QLineEdit;
    m_title->setObjectName(QStringLiteral("titleEdit"));
    m_stage = new QComboBox;
    m_stage->setObjectName(QStringLiteral("stageComboBox"));
    for (HookStage stage : {HookStage::BeforeDownload, HookStage::AfterDownload, HookStage::BeforeRelease,
                            HookStage::AfterRelease})
        m_stage->addItem(HookTemplateTableModel::stageLabel(stage), int(stage));
    m_script = new QPlainTextEdit;
    m_script->setObjectName(QStringLiteral("scriptEdit"));
    m_script->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_script->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_script->setMinimumHeight(260);
    m_script->setPlaceholderText(tr("#!/bin/sh\nset -e\nsudo systemctl reload nginx"));

    QFormLayout *form = createForm();
    addField(form, tr("Title"), m_title, QStringLiteral("title"));
    addField(form, tr("Stage"), m_stage, QStringLiteral("stage"));
    addField(form, tr("Script"), m_script, QStringLiteral("script"));
    setupStandardLayout(m_hooks, form, tr("Filter by title or stage"));

    connect(m_title, &QLineEdit::textChanged, this, &HookTemplatesPane::markEdited);
    connect(m_stage, &QComboBox::currentIndexChanged, this, &HookTemplatesPane::markEdited);
    connect(m_script, &QPlainTextEdit::textChanged, this, &HookTemplatesPane::markEdited);
}

void HookTemplatesPane::reload()
{
    auto hooks = m_store.hookTemplates();
    if (!hooks) {
        showStoreError(hooks.error());
        return;
    }
    m_hooks->setHooks(*hooks);
    setItemCountText(tr("%n hook template(s)", nullptr, itemCount()));
    afterReload();
}

int HookTemplatesPane::itemCount() const
{
    return m_hooks->rowCount();
}

HookTemplate HookTemplatesPane::formHook() const
{
    HookTemplate hook;
    hook.id = m_currentId;
    hook.title = m_title->text().trimmed();
    hook.stage = HookStage(m_stage->currentData().toInt());
    hook.script = m_script->toPlainText();
    return hook;
}

QList<Error> HookTemplatesPane::validateForm() const
{
    return Validator::check(formHook());
}

void HookTemplatesPane::loadForm(qint64 id)
{
    HookTemplate hook;
    if (id) {
        auto stored = m_store.hookTemplate(id);
        if (!stored) {
            showStoreError(stored.error());
            return;
        }
        hook = *stored;
    }
    m_title->setText(hook.title);
    m_stage->setCurrentIndex(qMax(0, m_stage->findData(int(hook.stage))));
    m_script->setPlainText(hook.script);
}

Result<qint64> HookTemplatesPane::saveForm(qint64 id)
{
    const HookTemplate hook = formHook();
    if (id == 0)
        return m_store.addHookTemplate(hook);
    if (auto updated = m_store.updateHookTemplate(hook); !updated)
        return std::unexpected(updated.error());
    return id;
}

Result<> HookTemplatesPane::removeItem(qint64 id)
{
    return m_store.removeHookTemplate(id);
}

} // namespace rd
