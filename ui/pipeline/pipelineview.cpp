#include "pipelineview.h"
#include "pipeline/pipelinescene.h"

#include <QAction>
#include <QHBoxLayout>
#include <QScrollBar>
#include <QSignalBlocker>
#include <QToolButton>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace rd {

PipelineView::PipelineView(PipelineScene *scene, QWidget *parent) : QGraphicsView(scene, parent), m_scene(scene)
{
    setObjectName(QStringLiteral("pipelineView"));
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(ScrollHandDrag);
    setViewportUpdateMode(SmartViewportUpdate);
    // Every item sets the painter state it uses, so the view need not save and restore it around
    // each of hundreds of items.
    setOptimizationFlag(DontSavePainterState);
    setBackgroundBrush(QColor(0xf7, 0xf8, 0xfa));
    setAlignment(Qt::AlignCenter);
    setFrameShape(QFrame::NoFrame);

    m_fitAction = addViewAction(tr("Fit"), QStringLiteral("fitAction"), {QKeySequence(Qt::CTRL | Qt::Key_0)});
    m_fitAction->setToolTip(tr("Fit the whole pipeline into the window (%1)")
                                .arg(m_fitAction->shortcut().toString(QKeySequence::NativeText)));
    m_zoomOutAction =
        addViewAction(tr("−"), QStringLiteral("zoomOutAction"), {QKeySequence(Qt::CTRL | Qt::Key_Minus)});
    m_zoomOutAction->setToolTip(
        tr("Zoom out (%1)").arg(m_zoomOutAction->shortcut().toString(QKeySequence::NativeText)));
    m_zoomInAction = addViewAction(tr("+"), QStringLiteral("zoomInAction"),
                                   {QKeySequence(Qt::CTRL | Qt::Key_Equal), QKeySequence(Qt::CTRL | Qt::Key_Plus)});
    m_zoomInAction->setToolTip(tr("Zoom in (%1)").arg(m_zoomInAction->shortcut().toString(QKeySequence::NativeText)));
    m_actualSizeAction =
        addViewAction(tr("100%"), QStringLiteral("actualSizeAction"), {QKeySequence(Qt::CTRL | Qt::Key_1)});
    m_actualSizeAction->setToolTip(
        tr("Actual size (%1)").arg(m_actualSizeAction->shortcut().toString(QKeySequence::NativeText)));
    m_compactAction = addViewAction(tr("Compact"), QStringLiteral("compactAction"), {});
    m_compactAction->setCheckable(true);
    m_compactAction->setChecked(scene->isCompact());
    m_compactAction->setToolTip(tr("One thin row per server, grouped by state"));

    connect(m_fitAction, &QAction::triggered, this, &PipelineView::fitToWindow);
    connect(m_zoomInAction, &QAction::triggered, this, &PipelineView::zoomIn);
    connect(m_zoomOutAction, &QAction::triggered, this, &PipelineView::zoomOut);
    connect(m_actualSizeAction, &QAction::triggered, this, &PipelineView::zoomToActualSize);
    connect(m_compactAction, &QAction::toggled, scene, &PipelineScene::setCompact);
    connect(scene, &PipelineScene::compactChanged, this, [this](bool compact) {
        const QSignalBlocker blocker(m_compactAction);
        m_compactAction->setChecked(compact);
    });
    connect(scene, &QGraphicsScene::sceneRectChanged, this, [this] {
        if (m_fitting)
            applyFit();
    });

    m_tools = new QWidget(this);
    m_tools->setObjectName(QStringLiteral("pipelineTools"));
    m_tools->setAttribute(Qt::WA_StyledBackground);
    m_tools->setStyleSheet(QStringLiteral("#pipelineTools { background: rgba(255, 255, 255, 230); "
                                          "border: 1px solid #cfd5dd; border-radius: 6px; }"));
    auto *layout = new QHBoxLayout(m_tools);
    layout->setContentsMargins(4, 3, 4, 3);
    layout->setSpacing(2);
    for (QAction *action : {m_fitAction, m_zoomOutAction, m_zoomInAction, m_actualSizeAction, m_compactAction}) {
        auto *button = new QToolButton;
        button->setDefaultAction(action);
        button->setAutoRaise(true);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        layout->addWidget(button);
    }
    m_tools->adjustSize();
    placeTools();
}

QAction *PipelineView::addViewAction(const QString &text, const QString &objectName,
                                     const QList<QKeySequence> &shortcuts)
{
    auto *action = new QAction(text, this);
    action->setObjectName(objectName);
    action->setShortcuts(shortcuts);
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(action);
    return action;
}

void PipelineView::fitToWindow()
{
    m_fitting = true;
    applyFit();
}

void PipelineView::zoomIn()
{
    setZoom(zoom() * ZoomStep);
}

void PipelineView::zoomOut()
{
    setZoom(zoom() / ZoomStep);
}

void PipelineView::zoomToActualSize()
{
    setZoom(1);
}

void PipelineView::setZoom(qreal value)
{
    m_fitting = false;
    value = qBound(MinZoom, value, MaxZoom);
    setTransform(QTransform::fromScale(value, value));
}

void PipelineView::applyFit()
{
    const QRectF rect = sceneRect();
    // A little slack, so that rounding never brings up the scroll bars.
    const QSizeF room = QSizeF(viewport()->size()) - QSizeF(2, 2);
    if (rect.isEmpty() || room.isEmpty())
        return;
    const qreal value =
        qBound(MinZoom, std::min({room.width() / rect.width(), room.height() / rect.height(), MaxFitZoom}), MaxZoom);
    setTransform(QTransform::fromScale(value, value));
    centerOn(rect.center());
}

void PipelineView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    if (viewport()->height() > 0)
        m_scene->setPreferredAspect(qreal(viewport()->width()) / viewport()->height());
    if (m_fitting)
        applyFit();
    placeTools();
}

void PipelineView::wheelEvent(QWheelEvent *event)
{
    if (!(event->modifiers() & Qt::ControlModifier)) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    const qreal steps = event->angleDelta().y() / 120.0;
    if (steps == 0)
        return;
    const ViewportAnchor anchor = transformationAnchor();
    setTransformationAnchor(AnchorUnderMouse);
    const qreal target = qBound(MinZoom, zoom() * std::pow(ZoomStep, steps), MaxZoom);
    m_fitting = false;
    scale(target / zoom(), target / zoom());
    setTransformationAnchor(anchor);
    event->accept();
}

void PipelineView::placeTools()
{
    const int scrollBar = verticalScrollBar()->isVisible() ? verticalScrollBar()->width() : 0;
    m_tools->move(width() - scrollBar - m_tools->width() - 8, 8);
    m_tools->raise();
}

} // namespace rd
